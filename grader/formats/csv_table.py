"""grades.csv: one row per submission, one column per scored function.

Columns: submission, score, max_score, status, then the points earned in each
function of ``grader.contract.SCORED`` (initialize_parameters ... training).
Named csv_table so it does not shadow the standard library's ``csv``.

Text cells are written for spreadsheets that students' file names cannot attack: a cell
a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a carriage
return: "=HYPERLINK(...)", "@SUM(1)") gets a leading single quote, as OWASP recommends
against CSV injection, and a name that is not UTF-8 shows its bytes as ``\\xNN``. Numbers
are left as numbers.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable

from grader.contract import SCORED
from grader.results import Report
from grader.text import printable

COLUMNS = ("submission", "score", "max_score", "status", *SCORED)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def text_cell(text: str) -> str:
    """``text`` as a cell no spreadsheet runs as a formula (numbers such as "-1.5" stay numbers)."""
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    """A plain decimal number ("-1.5", "2e-3"); not "-inf" or "+nan", which a spreadsheet reads as names."""
    return NUMBER.fullmatch(text) is not None




def _points(value: float) -> str:
    return f"{value:g}"


def row(report: Report) -> dict[str, str]:
    """One CSV row; a function with no checks in the report scores 0."""
    earned = {function: points for function, (points, _) in report.points_by_function().items()}
    return {
        "submission": text_cell(printable(report.submission)),
        "score": _points(report.score),
        "max_score": _points(report.max_score),
        "status": text_cell(report.status),
        **{function: _points(earned.get(function, 0.0)) for function in SCORED},
    }


def render(reports: Iterable[Report]) -> str:
    """The whole table, rows sorted by submission name."""
    return header() + "".join(line(report) for report in sorted(reports, key=lambda r: r.submission))


def header() -> str:
    """The table's first line, its column names."""
    return _written(lambda writer: writer.writeheader())


def line(report: Report) -> str:
    """The table's line of one report (a CSV line depends on its own cells only)."""
    return _written(lambda writer: writer.writerow(row(report)))


def _written(write: Callable[[csv.DictWriter], object]) -> str:
    out = io.StringIO()
    write(csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n"))
    return out.getvalue()

