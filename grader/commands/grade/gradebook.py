"""``grade --roster ROSTER.csv --export canvas|moodle``: the scores as the LMS's grade import wants them.

The roster is the class list as the LMS exports it (Canvas: Grades > Export; Moodle: Grade
administration > Export > Plain text file), or any CSV with the same columns. Each submission is
matched to one roster row by ``--match-column`` (default: the first of ``MATCH_COLUMNS`` the roster
has): the cell equals the submission's name, or is one of the ``_``/``-``-separated parts of it
(Canvas names downloaded submissions ``smithjane_12345_67890_two_layer_net.py``: its ``ID`` column
matches). Case and surrounding blanks do not count.

Written files (nobody is dropped silently; both lists are also printed):

    DIR/canvas.csv or DIR/moodle.csv    every roster student; a student without a submission has an
                                        empty grade (both imports leave an empty cell alone)
    DIR/<lms>-unmatched.csv             kind, name, score: submissions that match no roster row (or
                                        several), and students without a submission

Formats followed:

- Canvas, "How do I import grades in the Gradebook?" (Instructor Guide) and the Ohio State guide
  "Import a CSV file to Carmen grades" (teaching.resources.osu.edu): the columns ``Student, ID,
  SIS User ID, SIS Login ID, Section`` (one of Student / ID / SIS User ID identifies the student;
  SIS Login ID and Section are expected), then one column per assignment named ``<name> (<id>)``;
  a column without an id creates a new assignment. Canvas's own export has a second row
  ``    Points Possible`` with the assignment's points, which the import accepts; it is written.
  Checked against Canvas's importer itself (canvas-lms ``app/models/gradebook_importer.rb``): the
  header must start with Student and ID, and the student columns end at Section (Student, ID, SIS
  User ID, SIS Login ID, Section is one of the layouts it reads); a row whose first cell holds
  "Points Possible" sets the points; students are found by ID, then SIS User ID / SIS Login ID,
  then name. ``tests/integrity/test_gradebook.py`` applies those rules to the export.
- Moodle, "Grade import" (docs.moodle.org, 2.6 to 3.11): the file is the CSV grade export's
  format; on import the teacher maps an identifier column ("Map from" ``Email address`` to
  ``useremail``, or ``ID number`` to ``useridnumber``) and the grade column to a grade item.
  Written: ``First name, Last name, ID number, Email address`` (those the roster has) and the grade
  item column (the roster's ``Assignment: ...`` column when it has one, else ``backprop-lab``).
"""
from __future__ import annotations

import csv
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from grader.results import Report
from grader.text import printable

LMS = ("canvas", "moodle")
CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_IDENTITY = ("First name", "Last name", "ID number", "Email address")
MATCH_COLUMNS = ("submission", "file", "SIS Login ID", "Username", "Email address", "ID number", "SIS User ID", "ID")
POINTS_POSSIBLE = "    Points Possible"  # Canvas's export writes it so, four spaces included
NEW_ITEM = "backprop-lab"
_CANVAS_ASSIGNMENT = re.compile(r".+ \(\d+\)$")


class RosterError(ValueError):
    """The roster cannot be used; the message is one line for the instructor."""


@dataclass
class Matching:
    """rows: roster rows (as read) with the submission each matched, or None."""

    rows: list[tuple[dict[str, str], str | None]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)  # submissions of no roster row (or of several)
    ambiguous: dict[str, list[int]] = field(default_factory=dict)  # submission -> roster lines it fits

    @property
    def missing(self) -> list[dict[str, str]]:
        return [row for row, name in self.rows if name is None]


def read_roster(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The roster's columns and student rows (Canvas's "Points Possible" row and blank rows left out)."""
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = [c.strip() for c in reader.fieldnames or []]
            rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k is not None} for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise RosterError(f"{path}: cannot be read as a CSV roster ({error})") from None
    rows = [r for r in rows if any(r.values()) and r.get(columns[0], "") != POINTS_POSSIBLE.strip()]
    if not columns or not rows:
        raise RosterError(f"{path}: no students in it")
    return columns, rows


def match(columns: list[str], rows: list[dict[str, str]], names: list[str], column: str | None) -> Matching:
    """Each roster row's submission among ``names``, by ``column`` (see the module docstring)."""
    column = column or next((c for c in MATCH_COLUMNS if c in columns), None)
    if column is None or column not in columns:
        raise RosterError(f"the roster has no column {column!r} to match submissions by; its columns: "
                          f"{', '.join(columns)} (choose one with --match-column)" if column else
                          f"choose the roster column that names submissions with --match-column "
                          f"(its columns: {', '.join(columns)})")
    fits: dict[str, list[int]] = {name: [] for name in names}
    for index, row in enumerate(rows):
        key = row.get(column, "").casefold()
        for name in names:
            if key and (name.casefold() == key or key in re.split(r"[_\-\s]+", name.casefold())):
                fits[name].append(index)
    matching = Matching()
    taken: dict[int, str] = {}
    for name, indices in fits.items():
        if len(indices) == 1 and indices[0] not in taken:
            taken[indices[0]] = name
        else:
            matching.unmatched.append(name)
            if len(indices) > 1:
                matching.ambiguous[name] = [i + 2 for i in indices]  # CSV line numbers, header = line 1
    matching.rows = [(row, taken.get(index)) for index, row in enumerate(rows)]
    return matching


def _score(report: Report | None) -> str:
    return "" if report is None else f"{report.score:g}"


def canvas_table(columns: list[str], matching: Matching, reports: Mapping[str, Report]) -> list[list[str]]:
    """Canvas's gradebook import: identity columns, the assignment column, a Points Possible row."""
    assignment = next((c for c in columns if c not in CANVAS_IDENTITY and _CANVAS_ASSIGNMENT.fullmatch(c)), NEW_ITEM)
    max_score = max((r.max_score for r in reports.values()), default=0.0)
    table = [[*CANVAS_IDENTITY, assignment], [POINTS_POSSIBLE, "", "", "", "", f"{max_score:g}"]]
    for row, name in matching.rows:
        table.append([row.get(c, "") for c in CANVAS_IDENTITY] + [_score(reports.get(name) if name else None)])
    return table


def moodle_table(columns: list[str], matching: Matching, reports: Mapping[str, Report]) -> list[list[str]]:
    """Moodle's CSV grade import: the roster's identity columns and one grade item column."""
    identity = [c for c in MOODLE_IDENTITY if c in columns] or [c for c in columns if c in MATCH_COLUMNS][:1]
    if not any(c in columns for c in ("Email address", "ID number", "Username")):
        raise RosterError("a Moodle roster needs an 'Email address', 'ID number' or 'Username' column for the "
                          "import to identify students")
    item = next((c for c in columns if c.startswith("Assignment:")), NEW_ITEM)
    table = [[*identity, item]]
    for row, name in matching.rows:
        table.append([row.get(c, "") for c in identity] + [_score(reports.get(name) if name else None)])
    return table


def unmatched_table(matching: Matching, reports: Mapping[str, Report], columns: list[str]) -> list[list[str]]:
    """kind, name, score: every submission without a student and every student without a submission."""
    table = [["kind", "name", "score"]]
    for name in sorted(matching.unmatched):
        lines = matching.ambiguous.get(name)
        kind = (f"submission matching roster lines {', '.join(map(str, lines))}" if lines
                else "submission without a student")
        table.append([kind, _cell(name), _score(reports.get(name))])
    label = columns[0]
    for row in matching.missing:
        table.append(["student without a submission", _cell(row.get(label, "")), ""])
    return table


def _cell(text: str) -> str:
    text = printable(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _write(path: Path, table: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table)


def export(roster: Path, lms: str, out: Path, reports: Mapping[str, Report],
           match_column: str | None = None) -> tuple[Path, Path, Matching]:
    """Write ``out/<lms>.csv`` and ``out/<lms>-unmatched.csv``; returns both paths and the matching.
    Raises RosterError for an unusable roster."""
    columns, rows = read_roster(roster)
    matching = match(columns, rows, sorted(reports), match_column)
    table = canvas_table(columns, matching, reports) if lms == "canvas" else moodle_table(columns, matching, reports)
    out.mkdir(parents=True, exist_ok=True)
    main_path, unmatched_path = out / f"{lms}.csv", out / f"{lms}-unmatched.csv"
    _write(main_path, table)
    _write(unmatched_path, unmatched_table(matching, reports, columns))
    return main_path, unmatched_path, matching


def options_error(roster: Path | None, lms: str | None) -> str:
    """Why --roster / --export cannot be used as given ("" when they can), said before grading starts."""
    if (roster is None) != (lms is None):
        return "--roster and --export go together"
    if roster is not None and not Path(roster).is_file():
        return f"{roster}: no such roster file"
    return ""


def main(roster: Path, lms: str, out: Path, reports: Mapping[str, Report], match_column: str | None) -> int:
    """Export and say what was left out; 0, or 2 when the roster cannot be used."""
    try:
        main_path, unmatched_path, matching = export(roster, lms, out, reports, match_column)
    except RosterError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{lms}: wrote {main_path} ({len(matching.rows) - len(matching.missing)} students with a score)")
    if matching.unmatched:
        print(f"{lms}: submissions matching no student (not in {main_path.name}): "
              + ", ".join(printable(n) for n in sorted(matching.unmatched)))
    if matching.missing:
        label = next(iter(matching.rows[0][0]))
        print(f"{lms}: students without a submission (empty grade): "
              + ", ".join(printable(r.get(label, "")) for r in matching.missing))
    if matching.unmatched or matching.missing:
        print(f"{lms}: both lists are in {unmatched_path}")
    return 0
