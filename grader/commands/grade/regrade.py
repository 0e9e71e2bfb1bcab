"""Re-grades that know the grader: what a re-run with the same ``--out`` grades again, and what changed.

A submission's earlier result is kept only when its results file is valid, names it, was not
left ungraded (grader-error, not-recorded), was made from a file with the same SHA-256, under a
grader with the same fingerprint (``fingerprint.py``) and with the same checks. Anything else is
graded again, for a reason the run reports ("42 re-graded: the grader changed (checks, fixtures);
3 new; 55 unchanged"). ``--regrade`` grades every submission again whatever its fingerprints.

Every earlier results file is read here, *before* the run overwrites any of them: the points of
each check it held are kept in ``Plan.earlier``, and once the run is over ``compare`` turns them
and the new reports into the rows of ``DIR/regrade-diff.csv`` (one per submission and function
whose points changed or whose checks flipped). The file is written whenever a run graded again a
submission that had a result before, so it always describes the latest re-grade.

Everything here is for the instructor: English, like the rest of grade's own lines.
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from grader.commands.grade.collect import Submission
from grader.commands.grade.fingerprint import PARTS, Fingerprint
from grader.commands.grade.store import OutputFolder
from grader.contract import SCORED
from grader.formats.csv_table import text_cell
from grader.formats.gradescope import EXTRA_KEY
from grader.results import Report
from grader.status import Status
from grader.text import counted, printable

DIFF_FILE = "regrade-diff.csv"
DIFF_COLUMNS = ("submission", "function", "old_points", "new_points", "change", "checks_now_passing",
                "checks_now_failing", "old_status", "new_status", "why")

# Why a submission is graded (again); the order is the order they are listed in.
NEW = "new"
GRADER = "the grader changed"
FILE = "its file changed"
NOT_GRADED = "not graded last time"  # grader-error, not-recorded
UNREADABLE = "its earlier results could not be read"
NO_FINGERPRINT = "graded before grader fingerprints were recorded"
CHECKS = "graded with other checks"
FORCED = "--regrade"
REASONS = (GRADER, FILE, NOT_GRADED, UNREADABLE, NO_FINGERPRINT, CHECKS, FORCED)


@dataclass(frozen=True)
class Earlier:
    """A submission's results as an earlier run left them: check name -> (points earned, possible)."""

    status: str
    points: dict[str, tuple[float, float]]


@dataclass
class Plan:
    """todo     the submissions to grade, in the order given
    kept     the earlier reports kept, by name
    why      name -> reason (one of NEW, REASONS) for each submission in ``todo``
    parts    name -> the grader's parts that changed, for each graded again because GRADER
    earlier  name -> its earlier results, for each in ``todo`` that had readable ones
    """

    todo: list[Submission] = field(default_factory=list)
    kept: dict[str, Report] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)
    parts: dict[str, list[str]] = field(default_factory=dict)
    earlier: dict[str, Earlier] = field(default_factory=dict)


def plan(submissions: Iterable[Submission], fingerprints: dict[str, str], grader: Fingerprint,
         folder: OutputFolder, force: bool) -> Plan:
    """Decide, for each submission, whether its earlier result in ``folder`` is kept or it is graded."""
    decided = Plan()
    for submission in submissions:
        name = submission.name
        data = _read(folder, name)
        reason, parts = _reason(data, name, fingerprints[name], grader)
        report = None
        if reason is None:
            report = folder.report_from_results(data, name, fingerprints[name])
            reason = CHECKS if report is None else FORCED if force else None
        if reason is None:
            decided.kept[name] = report
            continue
        decided.todo.append(submission)
        decided.why[name] = reason
        if parts:
            decided.parts[name] = parts
        if (earlier := _earlier(data)) is not None:
            decided.earlier[name] = earlier
    return decided


def _read(folder: OutputFolder, name: str) -> Any:
    """The parsed results file; None when there is none, ... (Ellipsis) when it cannot be read."""
    path = folder.results_path(name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return ...


def _reason(data: Any, name: str, source: str, grader: Fingerprint) -> tuple[str | None, list[str]]:
    """Why the submission must be graded, and the grader's parts that changed; (None, []) when
    nothing says so (its checks are compared after)."""
    if data is None:
        return NEW, []
    try:
        extra = data["extra_data"][EXTRA_KEY]
        if extra["submission"] != name:
            return UNREADABLE, []
        if Status(extra["status"]).graded_again:
            return NOT_GRADED, []
        if extra["source_sha256"] != source:
            return FILE, []
        recorded = extra.get("grader_fingerprint")
        if not isinstance(recorded, dict):
            return NO_FINGERPRINT, []
        if recorded.get("sha256") != grader.sha256:
            parts = recorded.get("parts")
            return GRADER, grader.changed(parts if isinstance(parts, dict) else {})
    except (TypeError, KeyError, ValueError, AttributeError):
        return UNREADABLE, []
    return None, []


def _earlier(data: Any) -> Earlier | None:
    """The points of each check in a results file, or None when it holds none that can be read."""
    try:
        points = {str(test["name"]): (float(test["score"]), float(test["max_score"])) for test in data["tests"]}
        status = str(data["extra_data"][EXTRA_KEY]["status"])
    except (TypeError, KeyError, ValueError, AttributeError):
        return None
    return Earlier(status, points)


def describe(decided: Plan, graded: Iterable[str]) -> str:
    """One line: "42 re-graded: the grader changed (checks, fixtures); 3 new; 55 unchanged", or with
    several reasons "45 re-graded: the grader changed (checks) for 42, its file changed for 3; 55 unchanged".

    ``graded``: the names this run did grade (an interrupted run graded fewer than it planned).
    """
    done = set(graded)
    counts = Counter(decided.why[name] for name in done if name in decided.why)
    regraded = [(reason, counts[reason]) for reason in REASONS if counts[reason]]
    pieces = []
    if regraded:
        shown = [_reason_text(reason, decided, done) for reason, _ in regraded]
        if len(regraded) == 1:
            pieces.append(f"{sum(c for _, c in regraded)} re-graded: {shown[0]}")
        else:
            pieces.append(f"{sum(c for _, c in regraded)} re-graded: "
                          + ", ".join(f"{text} for {count}" for text, (_, count) in zip(shown, regraded, strict=True)))
    if counts[NEW]:
        pieces.append(f"{counts[NEW]} new")
    if decided.kept or not pieces:
        pieces.append(f"{len(decided.kept)} unchanged")
    left = len([s for s in decided.todo if s.name not in done])
    if left:
        pieces.append(f"{left} not graded (interrupted)")
    return "; ".join(pieces)


def _reason_text(reason: str, decided: Plan, done: set[str]) -> str:
    if reason != GRADER:
        return reason
    changed = {part for name, parts in decided.parts.items() if name in done for part in parts}
    order = [part for part in PARTS if part in changed] + sorted(changed - set(PARTS))
    return f"{GRADER} ({', '.join(order)})" if changed else GRADER


# ----------------------------------------------------------------- the diff


@dataclass(frozen=True)
class Change:
    """One row of regrade-diff.csv: a submission's points in one function, before and after."""

    submission: str
    function: str
    old_points: float
    new_points: float
    now_passing: list[str]
    now_failing: list[str]
    old_status: str
    new_status: str
    why: str

    @property
    def change(self) -> float:
        return self.new_points - self.old_points


def compare(decided: Plan, graded: Iterable[str], reports: dict[str, Report]) -> list[Change]:
    """The changes between the earlier results and this run's reports of the submissions graded
    again: a row per submission and function whose points changed or whose checks flipped."""
    changes = []
    for name in sorted(set(graded) & set(decided.earlier)):
        before, after = decided.earlier[name], reports[name]
        old_by_function = _by_function((check, score) for check, (score, _) in before.points.items())
        new_by_function = _by_function((r.name, r.score) for r in after.results)
        was_passing = {check: score >= possible for check, (score, possible) in before.points.items()}
        flipped = defaultdict(lambda: ([], []))
        for result in after.results:
            if result.name in was_passing and was_passing[result.name] != result.passed:
                flipped[_function_of(result.name)][0 if result.passed else 1].append(result.name)
        for function in _ordered(set(old_by_function) | set(new_by_function)):
            old, new = old_by_function.get(function, 0.0), new_by_function.get(function, 0.0)
            passing, failing = flipped.get(function, ([], []))
            if old != new or passing or failing:
                changes.append(Change(name, function, old, new, passing, failing, before.status,
                                      str(after.status), decided.why[name]))
    return changes


def _function_of(check: str) -> str:
    """Every check's name starts with its function: "compute_cost: values on ..." -> "compute_cost"."""
    return check.split(":", 1)[0]


def _by_function(points: Iterable[tuple[str, float]]) -> dict[str, float]:
    total: dict[str, float] = defaultdict(float)
    for check, score in points:
        total[_function_of(check)] += score
    return dict(total)


def _ordered(functions: set[str]) -> list[str]:
    """The handout's order, then any other (an older catalogue's) by name."""
    return [f for f in SCORED if f in functions] + sorted(functions - set(SCORED))


def render(changes: Iterable[Change]) -> str:
    """regrade-diff.csv: the header, then one row per change (submission names made spreadsheet-safe)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=DIFF_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for change in changes:
        writer.writerow({
            "submission": text_cell(printable(change.submission)),
            "function": change.function,
            "old_points": f"{change.old_points:g}",
            "new_points": f"{change.new_points:g}",
            "change": f"{change.change:+g}",
            "checks_now_passing": text_cell("; ".join(change.now_passing)),
            "checks_now_failing": text_cell("; ".join(change.now_failing)),
            "old_status": text_cell(change.old_status),
            "new_status": text_cell(change.new_status),
            "why": text_cell(change.why),
        })
    return out.getvalue()


def summarise(changes: list[Change]) -> str:
    """"7 submissions changed: +9 points in total; compute_cost: 5 (+10), training: 2 (-1)"."""
    moved = [c for c in changes if c.change]
    if not moved:
        flipped = len({c.submission for c in changes})
        return ("no submission's points changed" if not flipped else
                f"no submission's points changed; {counted(flipped, 'submission')} had checks flipped")
    submissions = {c.submission for c in moved}
    per_function = [(f, [c for c in moved if c.function == f]) for f in _ordered({c.function for c in moved})]
    parts = [f"{f}: {len({c.submission for c in cs})} ({sum(c.change for c in cs):+g})" for f, cs in per_function]
    return (f"{counted(len(submissions), 'submission')} changed: {sum(c.change for c in moved):+g} points "
            f"in total; " + ", ".join(parts))
