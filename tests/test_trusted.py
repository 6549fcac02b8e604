"""The trusted side of grading, without nbgrader: answer reports, test-cell runs, sandbox argv."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from course.answers import MIME_TYPE, AnswerFormatError, Unsupported, decode, encode, parse_report, report_payload
from course.grading.sandbox import INSIDE_WORKDIR, Sandbox, build_command
from course.grading.trusted import collect_answers, run_test_cell, strip_hidden_tests


def _display(name, value):
    return {"output_type": "display_data", "data": report_payload(name, value), "metadata": {}}


@pytest.mark.parametrize("value", [1, 2.5, "x", None, True, [1, [2]], (1, "a"), {"a": [1, 2]}, {1: "b"}, {3, 1}])
def test_builtin_values_round_trip_with_their_exact_types(value) -> None:
    back = decode(json.loads(json.dumps(encode(value))))
    assert back == value and type(back) is type(value)


def test_nan_and_inf_survive() -> None:
    assert math.isnan(decode(encode(float("nan"))))
    assert decode(encode(float("-inf"))) == float("-inf")


class Liar(float):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("value, type_name", [(np.float64(1.0), "numpy.float64"), (Liar(1.0), "Liar"), (object(), "object")])
def test_other_types_arrive_as_unsupported(value, type_name) -> None:
    back = decode(encode(value))
    assert isinstance(back, Unsupported) and type_name in back.type_name


@pytest.mark.parametrize("bad", [{"t": "int", "v": "1"}, {"t": "float", "v": True}, {"t": "eval", "v": "1"}, [1], {"t": "dict", "v": [[1]]}])
def test_malformed_reports_are_rejected(bad) -> None:
    with pytest.raises(AnswerFormatError):
        decode(bad)


def test_report_names_must_be_plain_identifiers() -> None:
    with pytest.raises(AnswerFormatError):
        parse_report({"name": "__builtins__", "value": encode(1)})
    with pytest.raises(AnswerFormatError):
        parse_report({"name": "a b", "value": encode(1)})


def test_conflicting_reports_are_dropped_and_named() -> None:
    answers, problems = collect_answers([_display("x", 1.0), _display("x", 2.0), _display("y", 3.0)])
    assert answers == {"y": 3.0}
    assert problems == ["'x' was reported twice with different values"]


def test_reports_in_other_mime_types_are_ignored() -> None:
    fake = {"output_type": "display_data", "data": {"text/plain": json.dumps(report_payload("x", 1.0)[MIME_TYPE])}}
    assert collect_answers([fake]) == ({}, [])


CELL = '''"""Checks x."""
from course import checks
checks.number("x", x, lower=0)
### BEGIN HIDDEN TESTS
checks.number("x", x, expected=4.0)
### END HIDDEN TESTS'''


def test_hidden_tests_are_kept_out_of_the_kernel() -> None:
    stripped = strip_hidden_tests(CELL)
    assert "expected=4.0" not in stripped and "HIDDEN" not in stripped and 'checks.number("x", x, lower=0)' in stripped


def test_trusted_run_gives_full_partial_and_zero_credit() -> None:
    assert run_test_cell(CELL, {"x": 4.0}).fraction == 1.0
    wrong = run_test_cell(CELL, {"x": 3.0})
    assert wrong.fraction == 0.0 and "[WRONG] x" in wrong.messages[-1]
    partial = run_test_cell('from course import checks\nchecks.mapping("m", m, {"A": ["plan"], "B": ["engage"]})', {"m": {"A": "plan", "B": "improve"}})
    assert partial.fraction == 0.5


def test_a_missing_answer_is_explained() -> None:
    verdict = run_test_cell(CELL, {})
    assert verdict.fraction == 0.0 and verdict.shares == {"x": 0.0}
    assert verdict.messages == ["[WRONG] x: no answer named 'x' was reported: the answer cell did not define it, "
                                "or the notebook stopped before this check ran"]


def test_an_unsupported_answer_scores_zero_with_its_type() -> None:
    verdict = run_test_cell(CELL, {"x": Unsupported("numpy.float64")})
    assert verdict.fraction == 0.0 and "numpy.float64" in verdict.messages[0]


def test_a_cell_without_checks_earns_nothing() -> None:
    assert run_test_cell("pass", {}).fraction == 0.0


def test_sandbox_command_isolates_and_limits() -> None:
    settings = Sandbox(memory_mb=512, max_processes=10)
    argv = build_command(settings, ["python", "-m", "ipykernel_launcher"], scratch="/s", sockdir="/k/sock",
                         as_root=True, uid=201234, ro_paths=["/venv"])
    text = " ".join(argv)
    for flag in ("--unshare-net", "--die-with-parent", "--clearenv", f"--chdir {INSIDE_WORKDIR}", "--bind /s /submission",
                 "--ro-bind /venv /venv", f"--as={512 * 1024 * 1024}", "--nproc=10", "--reuid=201234"):
        assert flag in text, flag
    assert argv[-3:] == ["python", "-m", "ipykernel_launcher"]
    binds = [argv[i + 1] for i, a in enumerate(argv) if a in ("--bind", "--ro-bind")]
    assert sorted(set(binds)) == sorted({"/usr", "/s", "/k/sock", "/venv"} | {b for b in binds if b.startswith(("/etc/", "/lib", "/bin", "/sbin"))})


TWO_ANSWERS = '''"""Checks a and b."""
from course import checks
checks.number("a", a, lower=0)
checks.number("b", b, lower=0)
### BEGIN HIDDEN TESTS
checks.number("a", a, expected=2.0)
checks.number("b", b, expected=3.0)
### END HIDDEN TESTS'''


@pytest.mark.parametrize("answers, shares, fraction", [
    ({"a": 2.0, "b": 3.0}, {"a": 1.0, "b": 1.0}, 1.0),
    ({"a": 2.0, "b": 4.0}, {"a": 1.0, "b": 0.0}, 0.5),   # a right, b wrong: half the points
    ({"a": 9.0, "b": 3.0}, {"a": 0.0, "b": 1.0}, 0.5),   # a wrong does not stop b being checked
    ({"b": 3.0}, {"a": 0.0, "b": 1.0}, 0.5),             # a never reported
    ({"a": -1.0, "b": 3.0}, {"a": 0.0, "b": 1.0}, 0.5),  # a fails the visible range check
    ({}, {"a": 0.0, "b": 0.0}, 0.0),
])
def test_each_answer_of_a_cell_earns_its_share(answers, shares, fraction) -> None:
    verdict = run_test_cell(TWO_ANSWERS, answers)
    assert verdict.shares == shares and verdict.fraction == fraction


def test_the_student_is_told_one_verdict_per_answer() -> None:
    verdict = run_test_cell(TWO_ANSWERS, {"a": 2.0, "b": 4.0})
    assert verdict.messages == ["[OK] a: 2.0 is correct.", "[WRONG] b: 4.0 is not the expected value."]


def test_an_error_in_the_test_code_keeps_the_shares_already_earned() -> None:
    source = 'from course import checks\nchecks.number("a", a, expected=1.0)\nb.get("x")\nchecks.number("b", b, expected=2.0)'
    verdict = run_test_cell(source, {"a": 1.0, "b": 2.0})
    assert verdict.shares == {"a": 1.0, "b": 0.0} and verdict.fraction == 0.5
    assert "AttributeError" in verdict.problem


def test_a_form_check_says_graded_later_and_never_ok() -> None:
    from course import checks

    assert checks.verdict_text("m", 1.0, "2 answers.", form_only=True) == "[FORM OK] m: 2 answers. Graded later."
    assert checks.verdict_text("m", 0.0, "form OK: a dict.", "Use a dict.") == (
        "[WRONG] m: not in the expected form; expected a dict.\nHint: Use a dict.")


def test_in_a_students_own_kernel_checks_print_and_never_raise(capsys, monkeypatch) -> None:
    from course import checks

    monkeypatch.delenv("NBGRADER_VALIDATING", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    checks.number("x", 3.0, expected=4.0, hint="Divide by four.")
    assert capsys.readouterr().out == "[WRONG] x: 3.0 is not the expected value.\nHint: Divide by four.\n"
    checks.number("x", None, expected=4.0, hint="Divide by four.")
    assert capsys.readouterr().out == "[WRONG] x: no answer yet (it is still None)\n"  # no formula hint for a blank
    import numpy as np

    checks.number("x", np.float64(4.0), expected=4.0, hint="Divide by four.")
    out = capsys.readouterr().out
    assert "numpy.float64" in out and "Divide by four" not in out and "plain Python type" in out


@pytest.mark.parametrize("env", ["NBGRADER_VALIDATING", "NBGRADER_EXECUTION"])
def test_under_nbgrader_a_check_that_is_not_right_raises_once(env, capsys, monkeypatch) -> None:
    from course import checks

    monkeypatch.setenv(env, "1")
    with pytest.raises(checks.CheckFailed, match=r"^\[WRONG\] x: 3.0 is not the expected value.\nHint: h$"):
        checks.number("x", 3.0, expected=4.0, hint="h")
    assert capsys.readouterr().out == ""  # the verdict is in the exception only, not printed as well


def test_hidden_regions_are_stripped_wherever_they_are() -> None:
    source = "a\n### BEGIN HIDDEN TESTS\nb\n### END HIDDEN TESTS\nc\n# BEGIN HIDDEN TESTS\nd\ne\n# END HIDDEN TESTS\nf"
    assert strip_hidden_tests(source) == "a\nc\nf"
    assert strip_hidden_tests("no hidden part\nat all") == "no hidden part\nat all"


def test_answer_names_of_every_helper_form() -> None:
    from course.grading.trusted import answer_names

    source = '''from course.checks import number
number("a", a, expected=1.0)
checks.expect(b > 0, "m")
checks.expect(c, "m", hint="a hint", name="c")
checks.expect(d, "m", name=some_variable)
checks.choices("e", e, {})
print("not a check", f)
checks.number(g_name, g, expected=1.0)
handlers["h"]("h", h)
'''
    assert answer_names(source) == ["a", "check", "c", "e"]
    assert answer_names("this is not python (") == []


def _report_output(name, value, output_type="display_data"):
    out = {"output_type": output_type, "data": report_payload(name, value), "metadata": {}}
    if output_type == "execute_result":
        out["execution_count"] = 1
    return out


def test_answers_are_read_from_every_report_whatever_comes_before() -> None:
    outputs = [
        {"output_type": "stream", "name": "stdout", "text": "hello"},
        {"output_type": "display_data", "data": {"text/plain": "a picture"}, "metadata": {}},
        {"output_type": "display_data", "data": {MIME_TYPE: {"name": "bad name", "value": encode(1)}}, "metadata": {}},
        _report_output("x", 1.0),
        _report_output("y", [1, 2], "execute_result"),
        _report_output("x", 1.0),  # the same value again: no conflict
    ]
    answers, problems = collect_answers(outputs)
    assert answers == {"x": 1.0, "y": [1, 2]}
    assert len(problems) == 1 and problems[0].startswith("an answer report could not be read (")


def test_a_cell_whose_code_raises_check_failed_reports_its_message() -> None:
    source = 'from course import checks\nchecks.number("x", x, expected=1.0)\nraise checks.CheckFailed("the instructor says no")'
    verdict = run_test_cell(source, {"x": 1.0})
    assert (verdict.fraction, verdict.problem) == (1.0, "the instructor says no")


def test_a_name_the_cell_needs_but_no_helper_names_is_explained() -> None:
    source = 'from course import checks\nchecks.number("x", x, expected=1.0)\nchecks.number("y", helper_value, expected=1.0)'
    verdict = run_test_cell(source, {"x": 1.0})
    assert verdict.problem == ("no answer named 'helper_value' was reported: the answer cell did not define it, "
                               "or the notebook stopped before this check ran")
    assert verdict.shares == {"x": 1.0, "y": 0.0} and verdict.fraction == 0.5


def test_an_error_before_any_check_is_the_problem_named() -> None:
    verdict = run_test_cell('raise ValueError("bad data")', {})
    assert (verdict.fraction, verdict.messages, verdict.problem) == (0.0, [], "the answer could not be checked (ValueError: bad data)")
    quiet = run_test_cell("pass", {})
    assert (quiet.fraction, quiet.messages, quiet.problem, quiet.shares) == (0.0, [], "no check ran in this test cell", {})


def test_of_equal_verdicts_the_first_is_told_and_the_lowest_counts() -> None:
    source = '''from course import checks
checks.expect(True, "first.", name="x")
checks.expect(True, "second.", name="x")
checks.expect(False, "low one.", name="y")
checks.expect(False, "low two.", name="y")
checks.expect(True, "form OK: a number.", name="z")
checks.expect(True, "right.", name="z")'''
    verdict = run_test_cell(source, {})
    assert verdict.messages == ["[OK] x: first.", "[WRONG] y: low one.", "[OK] z: right."]
    assert verdict.shares == {"x": 1.0, "y": 0.0, "z": 1.0}


def test_names_checked_under_computed_names_still_earn_their_share() -> None:
    source = 'from course import checks\nfor n in ("p", "q"):\n    checks.number(n, 1.0, expected=1.0 if n == "p" else 2.0)'
    verdict = run_test_cell(source, {})
    assert verdict.shares == {"p": 1.0, "q": 0.0} and verdict.fraction == 0.5
    assert verdict.passed is False and run_test_cell(source.replace("2.0", "1.0"), {}).passed is True


def test_a_clean_run_has_no_problem_and_an_odd_name_error_is_still_explained() -> None:
    assert run_test_cell(CELL, {"x": 4.0}).problem == ""
    odd = run_test_cell('raise NameError("something odd")', {})
    assert odd.problem == ("no answer named 'something odd' was reported: the answer cell did not define it, "
                           "or the notebook stopped before this check ran")
