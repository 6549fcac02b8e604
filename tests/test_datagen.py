"""The data generator: the committed files are reproducible byte for byte from the seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from course import data, datagen
from course.paths import data_dir
from course.schemas import CORE_TABLES

COMMITTED = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("default")
    return out, datagen.generate(out)


def test_writes_the_nine_files(default_run):
    out, paths = default_run
    assert [p.name for p in paths] == [f"{name}.csv" for name in CORE_TABLES]
    assert all(p.parent == out and p.is_file() for p in paths)


def test_default_seed_reproduces_the_committed_files(default_run):
    _out, paths = default_run
    for path in paths:
        committed = COMMITTED / path.name
        assert committed.is_file(), f"{committed} is missing: run `svc-course data generate`"
        assert path.read_bytes() == committed.read_bytes(), (
            f"{path.name} differs from the committed copy: regenerate with `svc-course data generate`"
        )


def test_same_seed_twice_is_identical(tmp_path):
    first = datagen.generate(tmp_path / "a", seed=7)
    second = datagen.generate(tmp_path / "b", seed=7)
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_another_seed_gives_other_files_that_still_validate(tmp_path, default_run, monkeypatch):
    _out, default_paths = default_run
    other = datagen.generate(tmp_path, seed=7)
    for a, b in zip(default_paths, other):
        assert a.read_bytes() != b.read_bytes(), a.name
    monkeypatch.setenv("SVC_COURSE_DATA", str(tmp_path))
    for name in CORE_TABLES:
        assert len(data.load(name)) > 0  # raises DataError if the schema is broken


def test_files_use_unix_line_endings_and_iso_utc_times(default_run):
    out, _paths = default_run
    raw = (out / "incidents.csv").read_bytes()
    assert b"\r" not in raw
    second_line = raw.split(b"\n")[1].decode()
    assert second_line.split(",")[3].endswith(":00Z")


def test_requests_file_stays_small(default_run):
    out, _paths = default_run
    assert (out / "requests.csv").stat().st_size < 5_000_000


def test_main_writes_to_out_with_a_seed(tmp_path, capsys):
    assert datagen.main(["--seed", "3", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(tmp_path / f"{name}.csv") for name in CORE_TABLES]


def test_main_refuses_to_guess_an_out_folder_outside_the_clone(tmp_path, monkeypatch):
    monkeypatch.setenv("SVC_COURSE_DATA", str(tmp_path))  # data come from elsewhere
    assert data_dir() == tmp_path
    with pytest.raises(SystemExit) as caught:
        datagen.main([])
    assert caught.value.code == 2
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("seed", [-1, 1.5, True])
def test_bad_seed_is_refused(tmp_path, seed):
    with pytest.raises(ValueError, match="seed"):
        datagen.generate(tmp_path, seed=seed)
