"""Every kind of bad input gives one clear line with file, line and field, exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run


def build(data: Path, out: Path, *muscles: str):
    args = ["build", *(muscles or ["--all"]), "--data", str(data), "--out", str(out)]
    return run(*args)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


def assert_one_error(result, expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert expected in result.output, result.output


@pytest.fixture
def pir(data: Path) -> Path:
    return data / "muscles" / "piriformis.yaml"


def test_wrong_type_names_file_line_and_field(data, pir, tmp_path):
    replace_in(pir, "symptoms:\n  - ", "symptoms:\n  - [a, list]\n  - ")
    line = line_of(pir, "[a, list]")
    result = build(data, tmp_path / "out", "piriformis")
    assert_one_error(result, f"piriformis.yaml:{line}: symptoms[0]: expected text, got a list")
    assert not (tmp_path / "out" / "piriformis.pdf").exists()


def test_unknown_key_suggests_the_right_one(data, pir, tmp_path):
    replace_in(pir, "summary:", "sumary:")
    result = build(data, tmp_path, "piriformis")
    assert_one_error(result, "sumary: unknown field (did you mean 'summary'?)")
    assert "missing required field 'summary'" in result.output


def test_all_problems_of_a_file_reported_at_once(data, pir, tmp_path):
    replace_in(pir, "name:", "nmae:")
    replace_in(pir, "reviewed: 2026-11-27", "reviewed: last week")
    result = build(data, tmp_path, "piriformis")
    assert_one_error(result, "nmae: unknown field (did you mean 'name'?)")
    assert "reviewed: expected a date like 2026-11-27, got 'last week'" in result.output


def test_duplicate_key(data, pir, tmp_path):
    text = pir.read_text(encoding="utf-8")
    pir.write_text(text + "\nrelief: again\n", encoding="utf-8")
    result = build(data, tmp_path, "piriformis")
    assert_one_error(result, "relief: duplicate key 'relief' (first on line")


def test_empty_file(data, pir, tmp_path):
    pir.write_text("", encoding="utf-8")
    assert_one_error(build(data, tmp_path, "piriformis"), "piriformis.yaml: the file is empty")


def test_not_a_mapping(data, pir, tmp_path):
    pir.write_text("- just\n- a list\n", encoding="utf-8")
    assert_one_error(
        build(data, tmp_path, "piriformis"),
        "piriformis.yaml:1: expected a mapping of fields, got a list",
    )


def test_malformed_yaml_with_tab(data, pir, tmp_path):
    pir.write_text("name: x\nactions:\n\t- y\n", encoding="utf-8")
    result = build(data, tmp_path, "piriformis")
    assert_one_error(result, "piriformis.yaml:3: invalid YAML")
    assert "tab" in result.output


def test_unclosed_quote(data, pir, tmp_path):
    replace_in(pir, "name: Piriformis", 'name: "Piriformis')
    assert_one_error(build(data, tmp_path, "piriformis"), "piriformis.yaml:")


def test_non_utf8_bytes(data, pir, tmp_path):
    raw = pir.read_bytes().replace(b"name: Piriformis", b"name: Piriformis \xe9")
    pir.write_bytes(raw)
    result = build(data, tmp_path, "piriformis")
    assert_one_error(result, "piriformis.yaml:1: not valid UTF-8 text (byte 0xe9)")


def test_byte_order_mark_is_accepted(data, pir, tmp_path):
    pir.write_bytes(b"\xef\xbb\xbf" + pir.read_bytes())
    result = build(data, tmp_path, "piriformis")
    assert result.exit_code == 0, result.output


def test_unknown_region_and_muscle(data, pir, tmp_path):
    replace_in(pir, "main: [", "main: [outer-hipp, ")
    replace_in(pir, "related_muscles:\n  - ", "related_muscles:\n  - gluteus-minimis\n  - ")
    result = build(data, tmp_path, "piriformis")
    assert_one_error(
        result, "pain.main[0]: unknown region 'outer-hipp' (did you mean 'outer-hip'?)"
    )
    assert (
        "related_muscles[0]: unknown muscle 'gluteus-minimis' (did you mean "
        "'gluteus-minimus'?)" in result.output
    )


def test_one_broken_file_does_not_stop_the_batch(data, pir, tmp_path):
    replace_in(pir, "summary:", "sumary:")
    out = tmp_path / "out"
    result = build(data, out)
    assert result.exit_code == 1
    assert "piriformis.yaml" in result.output
    built = {p.name for p in out.glob("*.pdf")}
    assert "piriformis.pdf" not in built
    assert "gluteus-minimus.pdf" in built
    english = [p for p in (data / "muscles").glob("*.yaml") if p.suffixes == [".yaml"]]
    assert len(built) == len(english) - 1


def test_broken_shared_file_is_reported(data, tmp_path):
    replace_in(data / "shared.yaml", "disclaimer:", "disclaimr:")
    result = build(data, tmp_path, "piriformis")
    assert_one_error(result, "shared.yaml:4: disclaimr: unknown field (did you mean 'disclaimer'?)")


def test_folder_where_a_file_should_be(data, pir, tmp_path):
    pir.unlink()
    pir.mkdir()
    (pir / "x").write_text("")
    result = build(data, tmp_path, "piriformis")
    assert_one_error(result, "piriformis.yaml: expected a file, found a folder")


def test_alias_bomb_is_refused(data, pir, tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    pir.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = build(data, tmp_path, "piriformis")
    assert_one_error(result, "too many values")


def test_huge_file_is_refused(data, pir, tmp_path):
    pir.write_text("name: x\n" + "# padding\n" * 300_000, encoding="utf-8")
    assert_one_error(build(data, tmp_path, "piriformis"), "is too large")


def test_bad_file_name(data, pir, tmp_path):
    pir.rename(pir.with_name("Piri Formis.yaml"))
    result = run("check", "--data", str(data))
    assert_one_error(result, "Piri Formis.yaml: file names are muscle ids")


def test_check_reports_problems_and_exits_1(data, pir):
    replace_in(pir, "body_region: hip", "body_region: hips")
    result = run("check", "--data", str(data))
    assert_one_error(
        result,
        "body_region: expected one of head-neck, shoulder-arm, trunk, hip, "
        "leg, got 'hips' (did you mean 'hip'?)",
    )
    assert "1 problem" in result.output and "1 problems" not in result.output


def test_output_folder_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run("build", "piriformis", "--out", str(blocker / "sub"))
    assert_one_error(result, "cannot create the output folder")


def test_every_kind_of_problem_comes_back_whole_from_another_process():
    import pickle

    from handouts.errors import DataError, DataWarning, ErrorList, MarkupError, TemplateError

    problems = [
        DataError("expected a list", file="data/muscles/x.yaml", line=3, field="causes"),
        DataWarning("no Spanish translation", file="data/muscles/x.es.yaml"),
        MarkupError("<li> outside a list", output_line=7, tag="li", file="t.html.j2"),
        TemplateError("unknown filter", file="t.html.j2", line=4),
        ErrorList([DataError("a", file="x.yaml", line=1), DataError("b", file="x.yaml", line=2)]),
    ]
    for p in problems:
        back = pickle.loads(pickle.dumps(p))
        assert type(back) is type(p)
        assert back.to_json() == p.to_json() and back.formatted() == p.formatted()
    markup = pickle.loads(pickle.dumps(problems[2]))
    assert (markup.output_line, markup.tag) == (7, "li")
    assert [e.line for e in pickle.loads(pickle.dumps(problems[4])).errors] == [1, 2]
