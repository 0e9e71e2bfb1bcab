"""GitHub Actions' job summary: a Markdown table of points per function.

``backprop-lab check --summary FILE`` appends this to FILE; the student kit's
workflow passes ``$GITHUB_STEP_SUMMARY``, the file GitHub renders on the run's page. In the language
in use; failing checks appear by their titles in it.
"""
from __future__ import annotations

from pathlib import Path

from grader.contract import heading
from grader.formats import status_note
from grader.i18n import _, ngettext
from grader.results import Report
from grader.text import points

PASSED, FAILED = "✅", "❌"


def _points(value: float) -> str:
    return f"{value:g}"


def _cell(text: str) -> str:
    """Table cells cannot hold a raw ``|`` or a line break."""
    return text.replace("|", "\\|").replace("\n", " ")


def render(report: Report, hidden_note: str = "") -> str:
    """Markdown: a heading, one table row per function, the total, then the failing checks' messages."""
    lines = [
        _("### backprop-lab check: `{submission}`", submission=report.submission),
        "",
        _("| | function | points | checks passed |"),
        "|---|---|---:|---:|",
    ]
    for function, results in report.by_function().items():
        earned = sum(r.score for r in results)
        possible = sum(r.max_score for r in results)
        passed = sum(r.passed for r in results)
        mark = PASSED if passed == len(results) else FAILED
        lines.append(f"| {mark} | {_cell(heading(function))} | {_points(earned)}/{_points(possible)} "
                     f"| {passed}/{len(results)} |")
    passed_total = sum(r.passed for r in report.results)
    lines.append(_("| | **total** | **{score}/{max_score}** | **{passed}/{total}** |", score=_points(report.score),
                   max_score=_points(report.max_score), passed=passed_total, total=len(report.results)))
    if hidden_note:
        lines += ["", hidden_note.strip()]
    if status_note(report):
        lines += ["", _cell(status_note(report))]
    failures = [r for r in report.results if not r.passed]
    if failures:
        blocks = ["\n".join([f"{r.shown} ({points(r.max_score)})",
                              *("    " + line for line in r.output.splitlines())]) for r in failures]
        summary = ngettext("{number} failing check: what it found", "{number} failing checks: what they found",
                           len(failures))
        lines += ["", f"<details><summary>{summary}</summary>", "",
                  "```text", "\n\n".join(blocks), "```", "", "</details>"]
    return "\n".join(lines) + "\n"


def render_error(submission: str, message: str) -> str:
    """Markdown for a submission that could not be checked at all."""
    return (_("### backprop-lab check: `{submission}`", submission=submission) + "\n\n"
            + FAILED + " " + _("The file could not be checked: {error}", error=_cell(message)) + "\n")


def append(markdown: str, path: Path) -> None:
    """Add to ``path`` (GitHub collects every step's summary in one file, so never overwrite)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(markdown + "\n")
