"""``report.html`` (the class, for the instructor) and ``feedback/<name>.html`` (one student's page).

Both are single self-contained files: styles inline, pictures as ``data:`` URIs, no script and
nothing fetched, so they open from a file share or an LMS attachment. Pages are made with Jinja2
templates (``formats/templates/``) with autoescaping on: every text a student's code can influence
(messages, names, printed output) is escaped. Texts are in the language in use; check and function
names shown come from their translated titles, ids stay English.

A student's page follows the Markdown feedback's rule: hidden checks show their names and results
only. The class report is for the instructor and quotes any message.

The class report's ``sections`` are extra tables other steps add (the integrity report: pairs of
similar submissions): each a ``Section`` with an ``id`` (the HTML anchor), a title, rows of cells.
"""
from __future__ import annotations

import base64
import functools
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from grader import i18n
from grader.contract import TODO_FUNCTIONS, heading
from grader.i18n import _, ngettext
from grader.results import Report
from grader.status import Status

TEMPLATES = Path(__file__).parent / "templates"
TOP_FAILED = 15
EXAMPLE_CHARS = 1_500  # of a mistake's example message


@dataclass(frozen=True)
class Link:
    """A cell that links somewhere (a student's page)."""

    text: str
    href: str


@dataclass
class Section:
    """An extra table of the class report. ``rows``: lists of cells, each a str, a Link, or a list of Links
    (shown separated by commas)."""

    id: str
    title: str
    columns: list[str]
    rows: list[list[str | Link | list[Link]]] = field(default_factory=list)
    intro: str = ""
    empty: str = ""  # said instead of an empty table


@dataclass
class Mistake:
    """A diagnosis several students got: its text, one full message, and who got it."""

    function: str
    diagnosis: str
    example: str
    students: list[str] = field(default_factory=list)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@functools.lru_cache(maxsize=1)  # one for the process: a new one compiled the template again for every page
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=False, keep_trailing_newline=True)


def _points(value: float) -> str:
    return f"{value:g}"


# ------------------------------------------------------------------ a student's page


def student_page(report: Report, markdown_name: str, picture: bytes | None, reference_picture: bytes | None,
                 no_picture: str = "", costs_from: str = "") -> str:
    """The HTML feedback of one graded submission; ``picture`` the PNG of their network (None: ``no_picture``
    says why), ``reference_picture`` the reference's; ``markdown_name`` the Markdown feedback beside it."""
    status = Status(report.status)
    public = [r for r in report.results if not r.hidden]
    failing = [r for r in public if not r.passed]
    hidden = [r for r in report.results if r.hidden]
    costs_note = _("Your cost per epoch is recomputed by the grader from your parameters: your compute_cost did "
                   "not give one number per epoch.") if costs_from == "reference" else ""
    context = {
        "lang": i18n.current(),
        "title": _("Feedback for {submission}", submission=report.submission),
        "t": {"score": _("Score: {score} / {max_score}", score=_points(report.score),
                         max_score=_points(report.max_score)),
              "function": _("Function"), "points": _("Points"),
              "pictures": _("Your network after training"),
              "yours": _("Your network (its parameters after the grader's training run)"),
              "reference": _("The reference solution, trained the same way"),
              "public_to_fix": _("Public checks to fix"), "public": _("Public checks"),
              "hidden": _("Hidden checks"), "markdown": _("The same feedback as Markdown")},
        "status": "" if status == Status.OK else _("Status: {status}: {meaning}.", status=status.value,
                                                     meaning=status.for_student),
        "error": report.error if status != Status.OK else "",
        "functions": [{"name": heading(function), "earned": _points(earned), "possible": _points(possible)}
                      for function, (earned, possible) in report.points_by_function().items()],
        "picture": data_uri(picture) if picture else "",
        "reference_picture": data_uri(reference_picture) if reference_picture else "",
        "no_picture": no_picture or _("No picture of your network: the training run gave none."),
        "costs_note": costs_note,
        "public_failures": [{"title": r.shown, "earned": _points(r.score), "possible": _points(r.max_score),
                             "output": r.output} for r in failing],
        "public_passed": ngettext("The {number} public check passed.", "All {number} public checks passed.",
                                  len(public)) if public else "",
        "hidden": [{"title": r.shown, "passed": r.passed, "verdict": _("passed") if r.passed else _("failed"),
                    "earned": _points(r.score), "possible": _points(r.max_score)} for r in hidden],
        "hidden_intro": _("Hidden checks test the same functions on inputs you have not seen, so only their names "
                          "and results are shown here; a failing one usually has a public check of the same "
                          "function that explains the mistake."),
        "markdown": quote(markdown_name),
    }
    return _environment().get_template("feedback.html.j2").render(context)


# ------------------------------------------------------------------ the class report


def class_page(reports: Sequence[Report], links: dict[str, str], histogram: bytes | None,
               hints: Iterable[str] = (), sections: Sequence[Section] = ()) -> str:
    """The class report; ``links`` maps a submission name to its page (relative to report.html),
    ``hints`` are the known mistakes' hints (English, as marked in solutions/mistakes.py)."""
    reports = list(reports)
    checked = [r for r in reports if Status(r.status).checks_ran]
    scores = [r.score for r in reports] or [0.0]
    context = {
        "lang": i18n.current(),
        "title": _("Class report"),
        "t": {"overview": ngettext("{number} submission, graded out of {points} points.",
                                   "{number} submissions, each graded out of {points} points.", len(reports),
                                   points=_points(max((r.max_score for r in reports), default=0))),
              "distribution": _("Score distribution"), "functions": _("Points per function"),
              "function": _("Function"), "mean": _("Mean points"), "full_marks": _("Share with full marks"),
              "statuses": _("Statuses"), "status": _("Status"), "submissions": _("Submissions"),
              "meaning": _("Meaning"), "failed_most": _("Checks failed most"), "check": _("Check"),
              "failed": _("Failed by"), "none_failed": _("No check failed."),
              "mistakes": _("Diagnosed mistakes"),
              "mistakes_intro": _("Mistakes the grader recognised in failing checks, by how many students made "
                                  "them, with the message they got. Each name links to that student's page."),
              "message": _("The message a student got"), "no_mistakes": _("No mistake was diagnosed."),
              "students": _("Students"), "submission": _("Submission"), "score_column": _("Score")},
        "scores": [(_("lowest"), _points(min(scores))), (_("median"), f"{statistics.median(scores):.4g}"),
                   (_("mean"), f"{statistics.fmean(scores):.4g}"), (_("highest"), _points(max(scores)))],
        "histogram": data_uri(histogram) if histogram else "",
        "functions": _function_rows(reports),
        "statuses": [{"status": status, "count": count, "meaning": Status(status).for_instructor}
                     for status, count in Counter(str(r.status) for r in reports).most_common()],
        "checked": len(checked),
        "failed_most": _failed_most(checked),
        "mistakes": [_mistake_row(m, links) for m in diagnosed_mistakes(checked, hints)],
        "sections": list(sections),
        "students": [{"name": r.submission, "href": links.get(r.submission, ""), "status": str(r.status),
                      "score": f"{_points(r.score)} / {_points(r.max_score)}"}
                     for r in sorted(reports, key=lambda r: r.submission)],
    }
    return _environment().get_template("report.html.j2").render(context)


def _function_rows(reports: list[Report]) -> list[dict]:
    by_function: dict[str, list[tuple[float, float]]] = {}
    for report in reports:
        for function, points in report.points_by_function().items():
            by_function.setdefault(function, []).append(points)
    rows = []
    for function, points in by_function.items():
        share = sum(earned >= possible for earned, possible in points) / len(points)
        rows.append({"name": heading(function), "mean": f"{statistics.fmean(e for e, _p in points):.3g}",
                     "possible": _points(max(p for _e, p in points)), "share": f"{100 * share:.0f}%",
                     "share_width": f"{10 * share:.2f}"})
    return rows


def _failed_most(checked: list[Report]) -> list[dict]:
    counts = Counter(r.name for report in checked for r in report.results if not r.passed)
    titles = {r.name: r.shown for report in checked for r in report.results}
    return [{"title": titles[name], "count": count} for name, count in counts.most_common(TOP_FAILED)]


def _mistake_row(mistake: Mistake, links: dict[str, str]) -> dict:
    return {"function": heading(mistake.function), "diagnosis": mistake.diagnosis,
            "example": mistake.example[:EXAMPLE_CHARS],
            "count_text": ngettext("{number} student", "{number} students", len(mistake.students)),
            "students": [{"name": name, "href": links.get(name, "")} for name in mistake.students]}


NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
SENTENCE_END = re.compile(r"(?<=[。？！])|(?<=[.?!])\s+")


def diagnosed_mistakes(reports: Iterable[Report], hints: Iterable[str] = ()) -> list[Mistake]:
    """The diagnoses of failing checks, by function, the most common first (each student counted once).

    A diagnosis is a known mistake's hint (``hints``, English as marked: found translated in the
    message, which quotes it whole), else the judge's explanation after the first sentence of the
    message (what differs), with its numbers set aside to group alike ones: "This is the last,
    incomplete batch (m % batch_size = 4 samples) ..." and "(... = 1 sample)" are one mistake. The
    training checks fail because of the functions they call, so only known mistakes count there.
    """
    translated = [i18n._(hint) for hint in dict.fromkeys(hints)]
    found: dict[tuple[str, str], Mistake] = {}
    for report in reports:
        for result in report.results:
            if result.passed:
                continue
            for key, text in _diagnoses(result.output, result.function, translated):
                mistake = found.setdefault((result.function, key), Mistake(result.function, text, result.output))
                if report.submission not in mistake.students:
                    mistake.students.append(report.submission)
    order = {function: index for index, function in enumerate(TODO_FUNCTIONS)}
    return sorted(found.values(), key=lambda m: (-len(m.students), order.get(m.function, len(order)), m.diagnosis))


def _diagnoses(output: str, function: str, hints: list[str]) -> list[tuple[str, str]]:
    """(grouping key, text shown) of each diagnosis in a failed check's message."""
    known = [(hint, hint) for hint in hints if hint and hint in output]
    if known or function not in TODO_FUNCTIONS:
        return known
    first_line = output.strip().split("\n", 1)[0]
    sentences = [s for s in SENTENCE_END.split(first_line) if s and s.strip()]
    explanation = " ".join(s.strip() for s in sentences[1:]).strip()
    if not explanation:
        return []
    return [(NUMBER.sub("#", explanation), explanation)]
