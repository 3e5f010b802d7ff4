"""Parallel, incremental and reproducible batch builds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run

RECORD = ".handouts-build.json"


def build(*args: str):
    return run("build", *args)


def pdfs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.pdf"))}


def summary(result) -> str:
    return result.output.strip().splitlines()[-1]


@pytest.fixture
def batch(data: Path, tmp_path: Path):
    """A small library (four muscles) built once into a folder."""
    keep = {"gluteus-minimus", "piriformis", "soleus", "masseter"}
    for f in (data / "muscles").glob("*.yaml"):
        if f.stem not in keep:
            f.unlink()
    for f in (data / "muscles").glob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        head, _, tail = text.partition("related_muscles:\n")
        items, rest = [], []
        lines = tail.splitlines(keepends=True)
        i = 0
        while i < len(lines) and lines[i].startswith("  - "):
            if lines[i][4:].strip() in keep:
                items.append(lines[i])
            i += 1
        rest = lines[i:]
        f.write_text(head + "related_muscles:\n" + "".join(items or ["  - soleus\n"
                     if f.stem != "soleus" else "  - masseter\n"]) + "".join(rest),
                     encoding="utf-8")
    out = tmp_path / "out"
    r = build("--all", "--data", str(data), "--out", str(out), "--jobs", "2")
    assert r.exit_code == 0, r.output
    return data, out


def test_second_build_skips_everything(batch):
    data, out = batch
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}
    r = build("--all", "--data", str(data), "--out", str(out))
    assert r.exit_code == 0
    assert summary(r).startswith("0 built, 4 unchanged, 0 failed")
    assert before == {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}
    record = json.loads((out / RECORD).read_text())
    assert sorted(record["outputs"]) == sorted(before)


def test_force_rebuilds_byte_identical(batch):
    data, out = batch
    first = pdfs(out)
    r = build("--all", "--data", str(data), "--out", str(out), "--force")
    assert summary(r).startswith("4 built, 0 unchanged")
    assert pdfs(out) == first


def test_parallel_and_serial_give_the_same_bytes(batch, tmp_path):
    data, out = batch
    serial = tmp_path / "serial"
    assert build("--all", "--data", str(data), "--out", str(serial), "--jobs", "1").exit_code == 0
    assert pdfs(serial) == pdfs(out)


def test_changed_muscle_rebuilds_it_and_muscles_that_name_it(batch):
    data, out = batch
    f = data / "muscles" / "masseter.yaml"
    f.write_text(f.read_text().replace("name: Masseter", "name: Masseter muscle"))
    r = build("--all", "--data", str(data), "--out", str(out))
    rebuilt = {Path(line.split()[-1]).name for line in r.output.splitlines()
               if line.startswith("wrote")}
    assert "masseter.pdf" in rebuilt and "gluteus-minimus.pdf" not in rebuilt
    soleus_related = "masseter" in (data / "muscles" / "soleus.yaml").read_text()
    assert ("soleus.pdf" in rebuilt) == soleus_related


@pytest.mark.parametrize("change", ["shared", "template", "brand", "option"])
def test_each_kind_of_input_change_rebuilds(batch, tmp_path, change):
    data, out = batch
    args = ["--all", "--data", str(data), "--out", str(out)]
    if change == "shared":
        p = data / "shared.yaml"
        p.write_text(p.read_text().replace("general information only", "general facts only"))
    elif change == "template":
        t = tmp_path / "t"
        t.mkdir()
        (t / "extra.html.j2").write_text("<h1>x</h1>\n")
        args += ["--templates", str(t)]
    elif change == "brand":
        assert run("brand", "init", str(tmp_path / "b")).exit_code == 0
        args += ["--brand", str(tmp_path / "b" / "brand.yaml")]
    else:
        args += ["--paper", "a4"]
    r = build(*args)
    assert r.exit_code == 0, r.output
    assert summary(r).startswith("4 built, 0 unchanged")


def test_deleted_output_is_rebuilt(batch):
    data, out = batch
    (out / "soleus.pdf").unlink()
    r = build("--all", "--data", str(data), "--out", str(out))
    assert summary(r).startswith("1 built, 3 unchanged")


def test_failure_in_a_parallel_batch(batch):
    data, out = batch
    f = data / "muscles" / "soleus.yaml"
    f.write_text(f.read_text().replace("name: Soleus", "name: Soleus \u0416"))
    r = build("--all", "--data", str(data), "--out", str(out), "--force", "--jobs", "2")
    assert r.exit_code == 1
    assert "soleus.yaml: name: the font Atkinson cannot draw" in r.output
    assert summary(r).startswith("3 built, 0 unchanged, 1 failed")
    record = json.loads((out / RECORD).read_text())
    assert "soleus.pdf" not in record["outputs"]


def test_json_report(batch):
    data, out = batch
    r = build("--all", "--data", str(data), "--out", str(out), "--json")
    report = json.loads(r.output)
    assert report["built"] == [] and len(report["unchanged"]) == 4 and report["failed"] == []


def test_patient_details_never_go_into_the_record(batch):
    data, out = batch
    before = (out / RECORD).read_text()
    r = build("piriformis", "--data", str(data), "--out", str(out), "--patient", "Zelda Q")
    assert r.exit_code == 0 and summary(r).startswith("1 built")
    after = (out / RECORD).read_text()
    assert "Zelda" not in after and after == before
    assert (out / "personal" / "piriformis.pdf").is_file()
    assert not list((out / "personal").glob("*.json"))
    # The personalised PDF went beside the plain one, which stays as it was.
    r = build("--all", "--data", str(data), "--out", str(out))
    assert summary(r).startswith("0 built, 4 unchanged")


def test_several_templates_in_one_batch(tmp_path):
    r = build("piriformis", "soleus", "--template", "full,summary", "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    assert sorted(pdfs(tmp_path)) == ["piriformis-summary.pdf", "piriformis.pdf",
                                      "soleus-summary.pdf", "soleus.pdf"]


@pytest.mark.parametrize("args", [["--help"], ["list"], ["check"]])
def test_fast_commands_do_not_import_reportlab(args):
    code = ("import sys; from handouts.cli import cli\n"
            f"try: cli.main({args!r}, standalone_mode=False)\n"
            "except SystemExit: pass\n"
            "assert not [m for m in sys.modules if m.startswith('reportlab')], 'reportlab'\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).parent)
    assert proc.returncode == 0, proc.stderr


def test_up_to_date_batch_does_not_parse_or_import_reportlab(batch):
    data, out = batch
    code = ("import sys; from handouts.cli import cli\n"
            f"try: cli.main(['build', '--all', '--data', {str(data)!r}, '--out', {str(out)!r}],"
            " standalone_mode=False)\n"
            "except SystemExit: pass\n"
            "assert not [m for m in sys.modules if m.startswith('reportlab')], 'reportlab'\n"
            "assert 'jinja2' not in sys.modules, 'jinja2'\n")
    # Run outside the checkout, so the same installed copy of the program is imported
    # as in this process (the record fingerprints the program itself).
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=data.parent)
    assert proc.returncode == 0, proc.stderr
    assert "0 built, 4 unchanged" in proc.stderr
