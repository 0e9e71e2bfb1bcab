"""feedback/<name>.md: what a student reads after ``backprop-lab grade``.

Contents: the score, a table of points per function, every failing *public* check
with its full message, then the *hidden* checks by name and result only, then
what happened to the process that ran the submission (the bridge's events and
the start of what it printed).

Why hidden checks show no message: they are the same kind of check on inputs
the student has not seen; their messages quote those inputs and the expected
numbers. The name and the verdict already say which function to revisit, and the
public check of the same function explains the mistake. (Gradescope's
results.json does carry the hidden messages, shown once grades are published.)

Written in the language in use (``grade --lang``); checks appear by their titles in it.
"""
from __future__ import annotations

import re
from collections import Counter

from grader.contract import heading
from grader.i18n import _, ngettext, tidy
from grader.results import CheckResult, Report
from grader.status import Status

OUTPUT_EXCERPT_CHARS = 2_000



def _points(value: float) -> str:
    return f"{value:g}"


def _fenced(text: str, info: str = "text") -> list[str]:
    """``text`` in a code fence longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, text.rstrip("\n"), fence]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render(report: Report, events: list[str] | tuple[str, ...] = (), output: str = "") -> str:
    """The Markdown feedback for one graded submission."""
    lines = [_("# Feedback for {submission}", submission=report.submission), ""]
    lines += _score_lines(report)
    lines += _function_table(report)
    lines += _public_failures(report)
    lines += _hidden_list(report)
    lines += _process_lines(events, output)
    return "\n".join(lines).rstrip("\n") + "\n"


def _score_lines(report: Report) -> list[str]:
    lines = [_("**Score: {score} / {max_score}**", score=_points(report.score), max_score=_points(report.max_score)),
             ""]
    if report.status != Status.OK:
        status = Status(report.status)
        lines += [_("Status: **{status}**: {meaning}.", status=status.value, meaning=status.for_student), ""]
        if report.error:
            lines += [*_fenced(report.error), ""]
    return lines


def _function_table(report: Report) -> list[str]:
    lines = [_("| Function | Points |"), "|---|---:|"]
    for function, (earned, possible) in report.points_by_function().items():
        lines.append(f"| {_cell(heading(function))} | {_points(earned)} / {_points(possible)} |")
    lines.append(_("| **Total** | **{score} / {max_score}** |", score=_points(report.score),
                   max_score=_points(report.max_score)))
    return lines + [""]


def _public_failures(report: Report) -> list[str]:
    public = [r for r in report.results if not r.hidden]
    failing = [r for r in public if not r.passed]
    if not public:
        return []
    if not failing:
        return [_("## Public checks"), "",
                ngettext("The {number} public check passed.", "All {number} public checks passed.", len(public)), ""]
    lines = [_("## Public checks to fix"), "",
             tidy(ngettext("{failed} of {number} public check failed.", "{failed} of {number} public checks failed.",
                           len(public), failed=len(failing))
                  + " " + _("Each message says what was expected and what your code gave; `backprop-lab check` "
                            "shows the same on your machine.")), ""]
    for result in failing:
        lines += [f"### {result.shown} ({_points(result.score)} / {_points(result.max_score)})", ""]
        lines += [*_fenced(result.output), ""]
    return lines


def _hidden_list(report: Report) -> list[str]:
    hidden = [r for r in report.results if r.hidden]
    if not hidden:
        return []
    passed = sum(r.passed for r in hidden)
    lines = [_("## Hidden checks"), "",
             tidy(ngettext("{passed} of {number} hidden check passed.", "{passed} of {number} hidden checks passed.",
                           len(hidden), passed=passed)
                  + " " + _("Hidden checks test the same functions on inputs you have not seen, so only their names "
                            "and results are shown here; a failing one usually has a public check of the same "
                            "function that explains the mistake.")), ""]
    lines += [_hidden_line(r) for r in hidden]
    return lines + [""]


def _hidden_line(result: CheckResult) -> str:
    verdict = _("passed") if result.passed else _("**failed**")
    return f"- {verdict} ({_points(result.score)} / {_points(result.max_score)}): {result.shown}"


def _process_lines(events: list[str] | tuple[str, ...], output: str) -> list[str]:
    if not events and not output:
        return []
    lines = [_("## What happened when your code ran"), ""]
    counts = Counter(events)  # a loop that times out in every check says so once, with a count
    lines += [f"- {event}" + (ngettext(" ({number} time)", " ({number} times)", counts[event])
                              if counts[event] > 1 else "") for event in counts]
    if events:
        lines.append("")
    if output:
        lines += [_("What your code printed:") if len(output) <= OUTPUT_EXCERPT_CHARS else
                  ngettext("What your code printed ({number} character; the start and the end are shown):",
                           "What your code printed ({number} characters; the start and the end are shown):",
                           len(output)),
                  "", *_fenced(excerpt(output)), ""]
    return lines


def excerpt(text: str, limit: int = OUTPUT_EXCERPT_CHARS) -> str:
    """``text`` cut to about ``limit`` characters: three quarters from the start, a quarter from the end."""
    if len(text) <= limit:
        return text
    head, tail = text[: limit * 3 // 4], text[-(limit // 4):]
    cut = ngettext("[... {number} character not shown ...]", "[... {number} characters not shown ...]",
                   len(text) - len(head) - len(tail))
    return f"{head}\n{cut}\n{tail}"
