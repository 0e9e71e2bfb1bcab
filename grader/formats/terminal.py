"""The report printed by ``backprop-lab check``: grouped by function, one line per check."""
from __future__ import annotations

import textwrap

from grader.formats import status_note
from grader.results import Report

PASS, FAIL = "PASS", "FAIL"


def _points(value: float) -> str:
    return f"{value:g}"


def render(report: Report, hidden_note: str = "") -> str:
    lines = [f"backprop-lab check: {report.submission}", ""]
    if status_note(report):
        lines += [*status_note(report).splitlines(), ""]
    for function, results in report.by_function().items():
        earned = sum(r.score for r in results)
        possible = sum(r.max_score for r in results)
        lines.append(f"{function}  ({_points(earned)}/{_points(possible)})")
        for r in results:
            mark = PASS if r.passed else FAIL
            tag = " [hidden]" if r.hidden else ""
            lines.append(f"  {mark}  {_points(r.score):>2}/{_points(r.max_score):<2} {r.name.split(': ', 1)[-1]}{tag}")
            if not r.passed:
                for paragraph in r.output.splitlines():
                    lines.extend(textwrap.wrap(paragraph, width=96, initial_indent="         ",
                                               subsequent_indent="         ", drop_whitespace=False)
                                 or [""])
        lines.append("")
    passed = sum(r.passed for r in report.results)
    lines.append(f"{passed}/{len(report.results)} checks passed. "
                 f"Points: {_points(report.score)}/{_points(report.max_score)}.{hidden_note}")
    return "\n".join(lines)
