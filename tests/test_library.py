"""Loading the library, and the copy of it kept between runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts import library as library_module
from handouts.library import load_library


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    monkeypatch.delenv("HANDOUTS_CACHE", raising=False)
    return folder / "handouts" / "library"


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("a muscle file was read again")

    monkeypatch.setattr(library_module, "load_muscle", fail)


def test_an_unchanged_library_is_read_back_whole_without_reading_its_files(
        data: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_library(data)
    assert not first.problems and len(list(cache.glob("*.pickle"))) == 1
    _no_parsing(monkeypatch)
    again = load_library(data)
    assert again.library == first.library
    assert again.library is not first.library
    assert not again.problems


def test_a_changed_muscle_file_is_read_again(data: Path, cache: Path) -> None:
    load_library(data)
    path = data / "muscles" / "soleus.yaml"
    text = path.read_text(encoding="utf-8")
    name = load_library(data).library.muscles["soleus"].name
    path.write_text(text.replace(f"name: {name}", "name: Soleus changed", 1), encoding="utf-8")
    assert load_library(data).library.muscles["soleus"].name == "Soleus changed"


def test_a_broken_file_is_reported_every_time_even_after_a_load_that_skipped_it(
        data: Path, cache: Path) -> None:
    (data / "muscles" / "soleus.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    # Asked for another muscle only, the broken file is not reported...
    assert not load_library(data, ["masseter"]).problems
    assert not list(cache.glob("*.pickle"))  # ...and a library with a hole is not kept
    for _ in range(2):
        result = load_library(data)
        assert [Path(p.file).name for p in result.problems] == ["soleus.yaml"]
        assert "soleus" not in result.library.muscles


def test_a_drawing_taken_away_is_reported_though_the_library_was_kept(
        data: Path, cache: Path) -> None:
    from handouts.resources import builtin_techniques_dir

    drawing = data / "techniques" / "ball-wall-2.svg"
    drawing.parent.mkdir()
    drawing.write_bytes((builtin_techniques_dir() / "ball-wall.svg").read_bytes())
    shared = data / "shared.yaml"
    shared.write_text(shared.read_text(encoding="utf-8").replace(
        "techniques:\n", "techniques:\n  - id: ball-wall-2\n    name: Ball against a door\n"
        "    caption: Lean on a small ball against a door.\n"
        "    alt: A person leans with their back on a ball against a door.\n", 1),
        encoding="utf-8")
    assert not load_library(data).problems
    drawing.unlink()  # no file the library is read from has changed
    result = load_library(data)
    assert result.library is None
    assert any("no drawing for the technique 'ball-wall-2'" in p.message
               for p in result.problems)


def test_nothing_is_kept_when_caches_are_off(data: Path, cache: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOUTS_CACHE", "off")
    assert load_library(data).library is not None
    assert not cache.exists()


def test_at_most_sixteen_libraries_are_kept(tmp_path: Path, data: Path, cache: Path) -> None:
    import shutil

    for i in range(18):
        copy = tmp_path / f"library-{i}"
        shutil.copytree(data, copy)
        load_library(copy)
    assert len(list(cache.glob("*.pickle"))) == 16


def test_an_unreadable_kept_library_is_loaded_from_its_files(data: Path, cache: Path) -> None:
    first = load_library(data)
    (kept,) = cache.glob("*.pickle")
    kept.write_bytes(b"not a pickle")
    assert load_library(data).library == first.library
