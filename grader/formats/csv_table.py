"""grades.csv: one row per submission, one column per scored function.

Columns: submission, score, max_score, status, then the points earned in each
function of ``grader.contract.SCORED`` (initialize_parameters ... training).
Named csv_table so it does not shadow the standard library's ``csv``.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from grader.contract import SCORED
from grader.results import Report

COLUMNS = ("submission", "score", "max_score", "status", *SCORED)


def _points(value: float) -> str:
    return f"{value:g}"


def row(report: Report) -> dict[str, str]:
    """One CSV row; a function with no checks in the report scores 0."""
    earned = {function: points for function, (points, _) in report.points_by_function().items()}
    return {
        "submission": report.submission,
        "score": _points(report.score),
        "max_score": _points(report.max_score),
        "status": report.status,
        **{function: _points(earned.get(function, 0.0)) for function in SCORED},
    }


def render(reports: Iterable[Report]) -> str:
    """The whole table, rows sorted by submission name."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for report in sorted(reports, key=lambda r: r.submission):
        writer.writerow(row(report))
    return out.getvalue()

