"""Value stream checking and the flow (Sankey) data drawn from it."""

from __future__ import annotations

from types import SimpleNamespace as S

import pytest

from course.activities import ACTIVITIES
from course.practice.stream import PALETTE, check_stream, flow_data, stream_summary

STORY = S(
    id="demo",
    steps=(
        S(id="s1", text="Leaders set a goal", activity="plan", explanation="Setting direction is plan."),
        S(id="s2", text="Meet users", activity="engage", explanation="Talking with stakeholders is engage."),
        S(id="s3", text="Run it", activity="deliver and support", explanation="Operating is deliver and support."),
    ),
)

OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}


def test_each_step_is_marked_and_explained():
    results = check_stream(STORY, {"s1": "Plan", "s2": "improve"})
    assert [r.mark for r in results] == ["[OK]", "[WRONG]", "[MISSING]"]
    assert results[0].line == "[OK] Step 1: plan is correct. Setting direction is plan."
    assert results[1].line == "[WRONG] Step 2: you chose improve; it is engage. Talking with stakeholders is engage."
    assert results[2].line.startswith("[MISSING] Step 3: no activity chosen; it is deliver and support.")
    assert stream_summary(results) == "1 / 3 steps right"


def test_unknown_step_or_activity_names_the_story_and_step():
    with pytest.raises(ValueError, match="story 'demo'.*'s9'"):
        check_stream(STORY, {"s9": "plan"})
    with pytest.raises(ValueError, match="story 'demo', step 's2'"):
        check_stream(STORY, {"s2": "operate"})


def test_flow_is_an_ordered_chain_of_labelled_steps():
    d = flow_data(["plan", "engage", None, "improve"])
    assert d["labels"] == ["1. plan", "2. engage", "3. ?", "4. improve"]
    assert d["source"] == [0, 1, 2] and d["target"] == [1, 2, 3] and d["value"] == [1, 1, 1]
    assert d["colours"][0] == PALETTE["plan"] and d["colours"][2] == "#999999"
    assert d["link_colours"][0] == "rgba(0,114,178,0.45)"  # #0072B2 = (0, 114, 178)


def test_single_step_has_no_links():
    d = flow_data(["plan"])
    assert d["source"] == [] and d["value"] == []


def test_palette_is_okabe_ito_one_distinct_colour_per_activity():
    assert set(PALETTE) == set(ACTIVITIES)
    assert len(set(PALETTE.values())) == 6
    assert set(PALETTE.values()) <= OKABE_ITO
