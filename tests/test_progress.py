"""The progress file: location, missing, corrupt and wrongly-shaped files, round trip, atomic writes."""

from __future__ import annotations

import json
import os

import pytest

from course import progress


@pytest.fixture
def path(tmp_path, monkeypatch):
    p = tmp_path / "progress.json"
    monkeypatch.setenv(progress.ENV_VAR, str(p))
    return p


ATTEMPT = {
    "date": "2026-03-02T09:15:00+00:00",
    "mode": "exam",
    "score": 27,
    "total": 40,
    "percent": 67.5,
    "passed": True,
    "wrong": ["q-1"],
}


def test_env_var_sets_the_path(path):
    assert progress.progress_path() == path


def test_default_path_is_in_the_jupyter_data_folder_not_the_course(tmp_path, monkeypatch):
    monkeypatch.delenv(progress.ENV_VAR, raising=False)
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jdata"))
    assert progress.progress_path() == tmp_path / "jdata" / "svc-course" / "progress.json"


def test_missing_file_gives_a_fresh_state_without_a_message(path):
    result = progress.load()
    assert result.state == {"version": 1, "flashcards": {"session": 0, "boxes": {}}, "quizzes": [], "widgets": {}}
    assert result.message is None and not path.exists()


def test_round_trip(path):
    state = progress.empty_state()
    state["flashcards"] = {"session": 3, "boxes": {"incident": 2, "plan": 5}}
    state["quizzes"].append(dict(ATTEMPT))
    progress.save(state)
    assert progress.load().state == state
    assert json.loads(path.read_text())["flashcards"]["boxes"] == {"incident": 2, "plan": 5}


def test_record_attempt_and_flashcards_keep_each_other(path):
    progress.save_flashcards({"session": 2, "boxes": {"event": 3}})
    progress.record_quiz_attempt(dict(ATTEMPT))
    state = progress.load().state
    assert state["flashcards"] == {"session": 2, "boxes": {"event": 3}}
    assert state["quizzes"] == [ATTEMPT]


def test_only_the_latest_attempts_are_kept(path):
    state = progress.empty_state()
    state["quizzes"] = [dict(ATTEMPT, score=i) for i in range(progress.MAX_ATTEMPTS)]
    progress.save(state)
    progress.record_quiz_attempt(dict(ATTEMPT, score=999))
    quizzes = progress.load().state["quizzes"]
    assert len(quizzes) == progress.MAX_ATTEMPTS
    assert quizzes[0]["score"] == 1 and quizzes[-1]["score"] == 999


def _aside(path):
    return [p for p in path.parent.iterdir() if p.name.startswith("progress.json.corrupt-")]


def test_corrupt_json_is_kept_aside_and_a_fresh_state_starts(path):
    path.write_text('{"version": 1, "flashcards": ')
    result = progress.load()
    assert result.state == progress.empty_state()
    kept = _aside(path)
    assert len(kept) == 1 and kept[0] == result.kept_as
    assert kept[0].read_text() == '{"version": 1, "flashcards": '  # nothing lost
    assert not path.exists()
    assert result.message.startswith(f"Your progress file {path} could not be read (not valid JSON")
    assert f"it was kept as {kept[0]}; starting fresh." in result.message


@pytest.mark.parametrize(
    "content,field",
    [
        ([1, 2], "top level"),
        ({"version": 2, "flashcards": {"session": 0, "boxes": {}}, "quizzes": []}, "version"),
        ({"version": 1, "flashcards": {"session": "x", "boxes": {}}, "quizzes": []}, "flashcards.session"),
        ({"version": 1, "flashcards": {"session": 0, "boxes": {"a": 7}}, "quizzes": []}, "flashcards.boxes"),
        ({"version": 1, "flashcards": {"session": 0, "boxes": {}}, "quizzes": {}}, "quizzes"),
        ({"version": 1, "flashcards": {"session": 0, "boxes": {}}, "quizzes": [{"date": "x"}]}, "'mode'"),
        ({"version": 1, "flashcards": {"session": 0, "boxes": {}, "started": "monday"}, "quizzes": []},
         "flashcards.started"),
        ({"version": 1, "flashcards": {"session": 0, "boxes": {}, "known": "a"}, "quizzes": []}, "flashcards.known"),
        ({"version": 1, "flashcards": {"session": 0, "boxes": {}}, "quizzes": [], "widgets": []}, "'widgets'"),
        ({"version": 1, "flashcards": {"session": 0, "boxes": {}}, "quizzes": [], "widgets": {"mapper": 3}},
         "widgets.mapper"),
    ],
)
def test_wrong_shape_is_kept_aside_with_the_field_named(path, content, field):
    path.write_text(json.dumps(content))
    result = progress.load()
    assert result.state == progress.empty_state()
    assert "wrong shape" in result.message and field in result.message
    assert len(_aside(path)) == 1


def test_not_utf8_is_kept_aside(path):
    path.write_bytes(b"\xff\xfe\x00garbage")
    result = progress.load()
    assert "UnicodeDecodeError" in result.message and len(_aside(path)) == 1


def test_two_corrupt_files_in_the_same_second_are_both_kept(path):
    path.write_text("x")
    progress.load()
    path.write_text("y")
    progress.load()
    assert sorted(p.read_text() for p in _aside(path)) == ["x", "y"]


def test_saving_a_wrong_shape_is_refused(path):
    with pytest.raises(progress.ProgressError, match="quizzes"):
        progress.save({"version": 1, "flashcards": {"session": 0, "boxes": {}}, "quizzes": None})
    assert not path.exists()


def test_a_failed_replace_leaves_the_old_file_whole_and_no_temporary_file(path, monkeypatch):
    progress.save_flashcards({"session": 1, "boxes": {"a": 1}})
    before = path.read_text()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(progress.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        progress.save_flashcards({"session": 2, "boxes": {"a": 2}})
    assert path.read_text() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["progress.json"]


def test_a_write_that_dies_half_way_never_reaches_the_real_file(path, monkeypatch):
    progress.save_flashcards({"session": 1, "boxes": {"a": 1}})
    before = path.read_text()
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()
            return False

        def write(self, text):
            self.handle.write(text[: len(text) // 2])
            self.handle.flush()
            raise KeyboardInterrupt  # interrupted mid-write

        def __getattr__(self, name):
            return getattr(self.handle, name)

    monkeypatch.setattr(progress.os, "fdopen", lambda fd, *a, **k: HalfWriter(real_fdopen(fd, *a, **k)))
    with pytest.raises(KeyboardInterrupt):
        progress.save_flashcards({"session": 5, "boxes": {"a": 3, "b": 2}})
    assert path.read_text() == before
    assert json.loads(path.read_text())["flashcards"]["session"] == 1
    assert sorted(p.name for p in path.parent.iterdir()) == ["progress.json"]


def test_save_creates_the_folder(tmp_path):
    target = tmp_path / "a" / "b" / "progress.json"
    progress.save(progress.empty_state(), target)
    assert progress.load(target).state == progress.empty_state()


def test_a_file_written_before_widgets_were_kept_still_loads(path):
    old = {"version": 1, "flashcards": {"session": 2, "boxes": {"a": 2}}, "quizzes": [dict(ATTEMPT)]}
    path.write_text(json.dumps(old))
    result = progress.load()
    assert result.message is None
    assert result.state == dict(old, widgets={})


def test_widget_state_is_kept_per_kind_and_key_and_removed_with_none(path):
    progress.save_widget_state("mapper", "wifi-01", ["deliver and support"])
    progress.save_widget_state("mapper", "shop-06", ["obtain/build", "design and transition"])
    progress.save_widget_state("quiz", "exam|n=10", {"ids": ["q1"], "answers": {"q1": "B"}})
    progress.save_flashcards({"session": 1, "boxes": {"a": 2}})
    state = progress.load().state
    assert progress.widget_state(state, "mapper") == {
        "wifi-01": ["deliver and support"], "shop-06": ["obtain/build", "design and transition"]
    }
    assert progress.widget_state(state, "quiz") == {"exam|n=10": {"ids": ["q1"], "answers": {"q1": "B"}}}
    assert progress.widget_state(state, "stream") == {}
    assert state["flashcards"] == {"session": 1, "boxes": {"a": 2}}
    progress.save_widget_state("mapper", "wifi-01", None)
    assert progress.widget_state(progress.load().state, "mapper") == {"shop-06": ["obtain/build", "design and transition"]}


def test_widget_state_refuses_what_json_cannot_hold(path):
    with pytest.raises(TypeError):
        progress.save_widget_state("quiz", "k", {"when": object()})
    assert not path.exists()


def test_flashcards_keep_the_session_day_and_merge_only_the_cards_named(path):
    progress.save_flashcards({"session": 3, "boxes": {"a": 2, "b": 1}, "started": "2026-03-02", "known": ["a"]})
    # another deck, opened before that save, marks "c": its stale boxes of a and b must not win
    progress.save_flashcards({"session": 3, "boxes": {"a": 1, "c": 2}, "started": "2026-03-02", "known": ["c"]},
                             terms=["c"])
    cards = progress.load().state["flashcards"]
    assert cards == {"session": 3, "boxes": {"a": 2, "b": 1, "c": 2}, "started": "2026-03-02", "known": ["c"]}


def test_concurrent_updates_from_two_processes_lose_nothing(path):
    """Two kernels saving at once: every one of their 2 x 40 saves is in the file at the end."""
    import subprocess
    import sys

    script = (
        "import sys; from course import progress\n"
        "for i in range(40):\n"
        "    progress.save_widget_state('mapper', f'{sys.argv[1]}-{i}', ['plan'])\n"
    )
    env = dict(os.environ, SVC_COURSE_PROGRESS=str(path))
    procs = [subprocess.Popen([sys.executable, "-c", script, name], env=env) for name in ("x", "y")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    kept = progress.widget_state(progress.load().state, "mapper")
    assert sorted(kept) == sorted([f"x-{i}" for i in range(40)] + [f"y-{i}" for i in range(40)])


def test_an_unreadable_file_that_cannot_be_moved_aside_is_never_overwritten(path, monkeypatch):
    path.write_text("{not json")
    monkeypatch.setattr(progress, "_set_aside", lambda p: None)  # as in a folder where renaming fails
    with pytest.raises(progress.ProgressError, match=f"{path}.*could not be moved aside"):
        progress.save_widget_state("mapper", "A", ["plan"])
    assert path.read_text() == "{not json"  # nothing lost
