"""Leitner scheduling: box moves, due boxes per session, order, persistence."""

from __future__ import annotations

import pytest

from course.practice.leitner import BOXES, Leitner, interval, is_due


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
    deck.start_session()
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
    deck.start_session()
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
    deck.start_session()  # session 2: boxes 1 and 2
    assert deck.queue == ["b1", "b2"]
    deck.start_session()  # session 3: box 1 only
    assert deck.queue == ["b1"]
    deck.start_session()  # session 4: boxes 1, 2, 3
    assert deck.queue == ["b1", "b2", "b3"]


def test_same_seed_same_order_and_state_round_trip():
    terms = [f"t{i}" for i in range(12)]
    one, two = Leitner(terms, seed=5), Leitner(terms, seed=5)
    one.start_session()
    two.start_session()
    assert one.queue == two.queue
    one.record(one.next_card(), True)
    again = Leitner(terms, one.to_state(), seed=5)
    assert again.to_state() == one.to_state()
    assert again.box_counts() == {1: 11, 2: 1, 3: 0, 4: 0, 5: 0}


def test_boxes_of_other_decks_are_kept():
    deck = Leitner(["a"], {"session": 2, "boxes": {"other": 4}})
    assert deck.to_state() == {"session": 2, "boxes": {"a": 1, "other": 4}}
    assert deck.box_counts() == {1: 1, 2: 0, 3: 0, 4: 0, 5: 0}


def test_a_card_known_every_time_reaches_box_5_and_is_then_seen_every_16_sessions():
    deck = Leitner(["x"])
    seen = []
    for _ in range(40):
        deck.start_session()
        if deck.next_card() == "x":
            seen.append(deck.session)
            deck.record("x", True)
    # box 1 at session 1, box 2 due at 2, box 3 due at 4, box 4 due at 8, box 5 due at 16, 32
    assert seen == [1, 2, 4, 8, 16, 32]
    assert deck.box_of("x") == BOXES


@pytest.mark.parametrize(
    "state,field",
    [({"session": -1}, "session"), ({"session": 0, "boxes": {"a": 9}}, "'a'"), ({"boxes": []}, "boxes")],
)
def test_bad_state_raises_naming_the_field(state, field):
    with pytest.raises(ValueError, match=field):
        Leitner(["a"], state)


def test_empty_deck_and_unknown_card_are_refused():
    with pytest.raises(ValueError):
        Leitner([])
    with pytest.raises(KeyError):
        Leitner(["a"]).record("b", True)
