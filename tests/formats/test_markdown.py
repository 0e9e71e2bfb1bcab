"""The student's feedback file: what it shows of failing checks, hidden checks and the process."""
from __future__ import annotations

from grader.formats import markdown
from grader.results import CheckResult, Report


def report() -> Report:
    return Report("ann", [
        CheckResult("forward_propagation: values on X (5, 2)", "forward_propagation", 3, False,
                    "A2: relative error 2.0e-01 > 1e-07\n    expected [0.1, ...]\n    got      [0.3, ...]"),
        CheckResult("forward_propagation: structure on X (5, 2)", "forward_propagation", 2, True, "passed"),
        CheckResult("compute_cost: values on A2, Y (500, 1)", "compute_cost", 2, False,
                    "cost 0.69 != 0.41 on the secret inputs", hidden=True),
    ])


def test_a_failing_public_check_shows_its_whole_message() -> None:
    text = markdown.render(report())
    assert "### forward_propagation: values on X (5, 2) (0 / 3)" in text
    assert "    expected [0.1, ...]\n    got      [0.3, ...]" in text  # indentation kept inside a fence


def test_a_hidden_check_shows_its_name_and_verdict_but_not_its_message() -> None:
    text = markdown.render(report())
    assert "compute_cost: values on A2, Y (500, 1)" in text and "**failed**" in text
    assert "secret inputs" not in text


def test_the_points_table_adds_up() -> None:
    text = markdown.render(report())
    assert "| forward_propagation | 2 / 5 |" in text and "| compute_cost | 0 / 2 |" in text
    assert "**Score: 2 / 7**" in text


def test_printed_backticks_cannot_close_the_fence() -> None:
    printed = "before\n```\n# Score: 100 / 100\n```\nafter"
    text = markdown.render(report(), output=printed)
    fence_line = next(line for line in text.splitlines() if line.startswith("````"))
    assert fence_line == "````text"  # longer than the student's three backticks
    assert text.count("````") == 2


def test_long_output_is_cut_in_the_middle_and_repeated_events_are_counted() -> None:
    printed = "START" + "x" * 50_000 + "END"
    text = markdown.render(report(), events=["timed out in model", "timed out in model"], output=printed)
    assert "START" in text and "END" in text and "characters not shown" in text
    assert len(text) < 5_000
    assert text.count("timed out in model") == 1 and "(2 times)" in text
