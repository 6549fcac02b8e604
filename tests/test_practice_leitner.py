"""Leitner scheduling: box moves, due boxes per session, one session a day, counting, persistence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from course.practice.leitner import BOXES, Leitner, interval, is_due

MONDAY = date(2026, 3, 2)


def day(n):
    """The n-th day after Monday 2 March 2026."""
    return MONDAY + timedelta(days=n)


def test_intervals_double_per_box():
    assert [interval(k) for k in range(1, 6)] == [1, 2, 4, 8, 16]
    with pytest.raises(ValueError):
        interval(6)


def test_due_boxes_per_session():
    # session 1: box 1 only; 2: boxes 1-2; 4: boxes 1-3; 8: 1-4; 16: all five
    due = {s: [k for k in range(1, 6) if is_due(k, s)] for s in (1, 2, 3, 4, 8, 16)}
    assert due == {1: [1], 2: [1, 2], 3: [1], 4: [1, 2, 3], 8: [1, 2, 3, 4], 16: [1, 2, 3, 4, 5]}


def test_new_cards_start_in_box_1_and_are_all_due_first():
    deck = Leitner(["a", "b", "c"])
    deck.start_session(day(0))
    assert deck.session == 1
    assert deck.box_counts() == {1: 3, 2: 0, 3: 0, 4: 0, 5: 0}
    assert sorted(deck.queue) == ["a", "b", "c"]


def test_right_moves_up_one_box_wrong_goes_back_to_box_1():
    deck = Leitner(["a"], {"session": 0, "boxes": {"a": 3}})
    assert deck.record("a", True) == 4
    assert deck.record("a", True) == 5
    assert deck.record("a", True) == 5  # box 5 is the top
    assert deck.record("a", False) == 1


def test_a_missed_card_comes_back_in_the_same_session_a_known_one_does_not():
    deck = Leitner(["a", "b"], seed=3)
    deck.start_session(day(0))
    first, second = deck.queue
    deck.record(first, False)
    assert deck.queue == [second, first]
    deck.record(second, True)
    assert deck.queue == [first]
    deck.record(first, True)
    assert deck.next_card() is None


def test_only_due_boxes_are_queued_lowest_box_first():
    state = {"session": 1, "boxes": {"b1": 1, "b2": 2, "b3": 3}}
    deck = Leitner(["b3", "b2", "b1"], state)
    deck.start_session(day(0))  # session 2: boxes 1 and 2
    assert deck.queue == ["b1", "b2"]
    deck.start_session(day(1))  # session 3: box 1 only
    assert deck.queue == ["b1"]
    deck.start_session(day(2))  # session 4: boxes 1, 2, 3
    assert deck.queue == ["b1", "b2", "b3"]


def test_same_seed_same_order_and_state_round_trip():
    terms = [f"t{i}" for i in range(12)]
    one, two = Leitner(terms, seed=5), Leitner(terms, seed=5)
    one.start_session(day(0))
    two.start_session(day(0))
    assert one.queue == two.queue
    known = one.next_card()
    one.record(known, True)
    again = Leitner(terms, one.to_state(), seed=5)
    assert again.to_state() == one.to_state() == {
        "session": 1, "boxes": {known: 2}, "started": "2026-03-02", "known": [known]
    }
    assert again.box_counts() == {1: 11, 2: 1, 3: 0, 4: 0, 5: 0}


def test_boxes_of_other_decks_are_kept_and_unreviewed_cards_are_not_stored():
    deck = Leitner(["a", "b"], {"session": 2, "boxes": {"other": 4}})
    assert deck.to_state() == {"session": 2, "boxes": {"other": 4}}
    assert deck.box_counts() == {1: 2, 2: 0, 3: 0, 4: 0, 5: 0}
    deck.record("b", False)
    assert deck.to_state()["boxes"] == {"b": 1, "other": 4}


def test_reviewed_count_counts_only_cards_marked():
    """Two cards marked out of 40 is 2 reviewed, not 40 (the old panel said 40 cards seen)."""
    deck = Leitner([f"t{i}" for i in range(40)])
    deck.open(day(0))
    deck.record(deck.next_card(), True)
    deck.record(deck.next_card(), False)
    assert deck.reviewed_count() == 2
    assert len(deck.to_state()["boxes"]) == 2


def test_one_session_a_day_reopening_the_same_day_resumes_it():
    deck = Leitner(["a", "b", "c"], seed=2)
    assert deck.open(day(0)) is True and deck.session == 1
    first = deck.next_card()
    deck.record(first, True)
    # the cell runs again the same day: same session, the known card is not asked again
    again = Leitner(["a", "b", "c"], deck.to_state(), seed=2)
    assert again.open(day(0)) is False and again.session == 1
    assert sorted(again.queue) == sorted({"a", "b", "c"} - {first})
    # a card missed today stays due today when reopened
    missed = again.next_card()
    again.record(missed, False)
    third = Leitner(["a", "b", "c"], again.to_state(), seed=2)
    third.open(day(0))
    assert missed in third.queue and first not in third.queue
    # the next day starts session 2: box 2 (the known card) and box 1 are due
    fourth = Leitner(["a", "b", "c"], third.to_state(), seed=2)
    assert fourth.open(day(1)) is True and fourth.session == 2
    assert sorted(fourth.queue) == ["a", "b", "c"]
    assert fourth.to_state()["started"] == "2026-03-03" and "known" not in fourth.to_state()


def test_a_second_session_the_same_day_must_be_deliberate():
    deck = Leitner(["a", "b"])
    deck.open(day(0))
    for term in list(deck.queue):
        deck.record(term, True)
    assert deck.next_card() is None
    assert deck.next_session_day() == day(1)
    assert deck.due_in(deck.session + 1) == ["a", "b"]  # box 2 is due in session 2
    with pytest.raises(ValueError, match="today_again"):
        deck.start_session(day(0))
    assert deck.session == 1
    deck.start_session(day(0), today_again=True)
    assert deck.session == 2 and sorted(deck.queue) == ["a", "b"]


def test_a_card_known_every_time_reaches_box_5_and_is_then_seen_every_16_sessions():
    deck = Leitner(["x"])
    seen = []
    for n in range(40):
        deck.start_session(day(n))
        if deck.next_card() == "x":
            seen.append(deck.session)
            deck.record("x", True)
    # box 1 at session 1, box 2 due at 2, box 3 due at 4, box 4 due at 8, box 5 due at 16, 32
    assert seen == [1, 2, 4, 8, 16, 32]
    assert deck.box_of("x") == BOXES


@pytest.mark.parametrize(
    "state,field",
    [({"session": -1}, "session"), ({"session": 0, "boxes": {"a": 9}}, "'a'"), ({"boxes": []}, "boxes"),
     ({"session": 1, "started": "yesterday"}, "started")],
)
def test_bad_state_raises_naming_the_field(state, field):
    with pytest.raises(ValueError, match=field):
        Leitner(["a"], state)


def test_empty_deck_and_unknown_card_are_refused():
    with pytest.raises(ValueError):
        Leitner([])
    with pytest.raises(KeyError):
        Leitner(["a"]).record("b", True)
