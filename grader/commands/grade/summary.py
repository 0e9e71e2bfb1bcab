"""The table printed at the end of ``backprop-lab grade``: how the class did.

``summarise`` computes plain numbers (tests read them); ``render`` lays them out
with tabulate.
"""
from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from grader.results import Report
from grader.status import Status
from grader.text import counted

# Score bands in percent of the maximum: [low, high) except the last, which is exactly 100.
BANDS = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 100), (100, 101))
TOP_FAILURES = 10


@dataclass
class Summary:
    submissions: int = 0
    max_score: float = 0.0
    scores: dict[str, float] = field(default_factory=dict)  # min, median, mean, max
    bands: list[tuple[str, int]] = field(default_factory=list)  # ("80-99%", count)
    statuses: dict[str, int] = field(default_factory=dict)
    failed_most: list[tuple[str, int]] = field(default_factory=list)  # (check name, submissions failing it)
    checked: int = 0  # submissions whose checks ran (the denominator of failed_most)


def summarise(reports: Iterable[Report]) -> Summary:
    reports = list(reports)
    if not reports:
        return Summary()
    scores = [r.score for r in reports]
    summary = Summary(
        submissions=len(reports),
        max_score=max(r.max_score for r in reports),
        scores={"min": min(scores), "median": statistics.median(scores),
                "mean": statistics.fmean(scores), "max": max(scores)},
        bands=_bands(reports),
        statuses=dict(Counter(str(r.status) for r in reports).most_common()),
    )
    checked = [r for r in reports if Status(r.status).checks_ran]  # a never-run check is no failure
    failures = Counter(result.name for r in checked for result in r.results if not result.passed)
    summary.failed_most = failures.most_common(TOP_FAILURES)
    summary.checked = len(checked)
    return summary


def _bands(reports: list[Report]) -> list[tuple[str, int]]:
    counts = Counter()
    for report in reports:
        percent = 100 * report.score / report.max_score if report.max_score else 0.0
        for low, high in BANDS:
            if low <= percent < high:
                counts[(low, high)] += 1
                break
    return [(_band_label(low, high), counts[(low, high)]) for low, high in BANDS]


def _band_label(low: int, high: int) -> str:
    return "100%" if low == 100 else f"{low}-{high - 1}%"


def _bar(count: int, bands: list[tuple[str, int]], width: int = 40) -> str:
    largest = max(c for _, c in bands)
    return "#" * round(width * count / largest) if largest else ""


def render(summary: Summary) -> str:
    from tabulate import tabulate  # here: every grading worker imports this module's package

    if not summary.submissions:
        return "no submissions graded."
    stats = [[name, f"{value:.4g}"] for name, value in summary.scores.items()]
    parts = [
        f"{counted(summary.submissions, 'submission')}, out of {counted(summary.max_score, 'point')}",
        tabulate(stats, headers=["score", "points"], tablefmt="simple"),
        tabulate([[label, count, _bar(count, summary.bands)] for label, count in summary.bands],
                 headers=["band", "submissions", ""], tablefmt="simple"),
        tabulate(list(summary.statuses.items()), headers=["status", "submissions"], tablefmt="simple"),
    ]
    if summary.failed_most:
        rows = [[name, f"{count}/{summary.checked}"] for name, count in summary.failed_most]
        parts.append(tabulate(rows, headers=["check failed most", "failed"], tablefmt="simple"))
    return "\n\n".join(parts)
