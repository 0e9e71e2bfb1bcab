"""grade --roster --export: the files match the LMS's documented import columns (example files written
by hand from the docs, in tests/integrity/gradebook/), and nobody is dropped silently."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from grader.commands.grade import gradebook
from grader.results import CheckResult, Report

EXAMPLES = Path(__file__).resolve().parent / "gradebook"


def _report(name: str, score: float) -> Report:
    """A report of ``score`` points out of 127."""
    return Report(name, [CheckResult("a", "training", score, True, ""),
                         CheckResult("b", "training", 127 - score, False, "")])


# Canvas download names (name_userid_submissionid_file), a notebook by login, and one nobody owns
REPORTS = {"liwei_39201_8812_two_layer_net": _report("liwei_39201_8812_two_layer_net", 127),
           "wangfang": _report("wangfang", 84.5),
           "mystery": _report("mystery", 40)}


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize(("lms", "column", "missing"), [("canvas", "ID", "Zhang, Min"),
                                                        ("moodle", "Email address", "Min")])
def test_export_matches_the_documented_example(tmp_path, lms, column, missing):
    reports = dict(REPORTS)
    if lms == "moodle":  # matched by e-mail: submissions named after the address
        reports = {"liwei@example.edu.cn": _report("liwei@example.edu.cn", 127),
                   "wangfang@example.edu.cn": _report("wangfang@example.edu.cn", 84.5),
                   "mystery": _report("mystery", 40)}
    if lms == "canvas":
        reports["39202"] = reports.pop("wangfang")
    main, unmatched, _matching = gradebook.export(EXAMPLES / f"{lms}_roster.csv", lms, tmp_path, reports, column)
    assert main == tmp_path / f"{lms}.csv"
    assert _rows(main) == _rows(EXAMPLES / f"{lms}_expected.csv")
    listed = _rows(unmatched)
    assert ["submission without a student", "mystery", "40"] in listed
    assert ["student without a submission", missing, ""] in listed


def test_canvas_match_by_login_and_download_names(tmp_path):
    reports = {"wangfang": _report("wangfang", 84.5), "liwei_late_1_2_two_layer_net": _report("x", 127)}
    gradebook.export(EXAMPLES / "canvas_roster.csv", "canvas", tmp_path, reports, "SIS Login ID")
    scores = {row[3]: row[5] for row in _rows(tmp_path / "canvas.csv")[2:]}
    assert scores == {"wangfang": "84.5", "liwei": "127", "zhangmin": ""}


def test_a_submission_fitting_two_students_is_listed_not_guessed(tmp_path):
    reports = {"liwei_wangfang": _report("liwei_wangfang", 50)}
    _main, unmatched, matching = gradebook.export(EXAMPLES / "canvas_roster.csv", "canvas", tmp_path, reports,
                                                  "SIS Login ID")
    assert matching.unmatched == ["liwei_wangfang"]
    assert any(row[0].startswith("submission matching roster lines") for row in _rows(unmatched))


def test_unusable_rosters_and_options_are_refused(tmp_path):
    with pytest.raises(gradebook.RosterError, match="no column"):
        gradebook.export(EXAMPLES / "canvas_roster.csv", "canvas", tmp_path, REPORTS, "Username")
    assert gradebook.options_error(EXAMPLES / "canvas_roster.csv", None) == "--roster and --export go together"
    assert "no such roster" in gradebook.options_error(tmp_path / "none.csv", "canvas")


# ------------------------------------------------------------------ Canvas's own importer

def canvas_reads(rows: list[list[str]]) -> dict:
    """How Canvas's gradebook importer reads a CSV: a transliteration of the header rules of
    canvas-lms ``app/models/gradebook_importer.rb`` (``row_has_student_headers?``,
    ``update_column_count``, ``header?``, ``check_for_non_student_row``), read in its source.

    Returns: dict assignments (the header cells after the student columns), points (the
             "Points Possible" row's cells for them), students (rows: ID, then the grades).
    Raises ValueError where Canvas answers "Invalid header row".
    """
    header = rows[0]
    if not (len(header) > 3 and "Student" in header[0] and "ID" in header[1]):
        raise ValueError("Invalid header row: no Student and ID columns first")
    columns = 3  # Student, ID, Section
    if "SIS Login ID" in header[2]:
        columns += 1
    elif "SIS User ID" in header[2] and "SIS Login ID" in header[3]:
        columns += 2 + ("Integration ID" in header[4])
    if "Section" not in header[columns - 1]:
        raise ValueError("Invalid header row: the last student column is not Section")
    read = {"assignments": header[columns:], "points": None, "students": []}
    for row in rows[1:]:
        if "Points Possible" in row[0]:
            read["points"] = row[columns:]
        else:
            read["students"].append([row[1], *row[columns:]])
    return read


def test_canvas_reads_the_export_as_one_assignment_with_its_points_and_every_student(tmp_path):
    reports = dict(REPORTS)
    reports["39202"] = reports.pop("wangfang")
    main, _unmatched, _matching = gradebook.export(EXAMPLES / "canvas_roster.csv", "canvas", tmp_path, reports, "ID")
    read = canvas_reads(_rows(main))
    assert read["assignments"] == ["Lab 2: backprop (4471)"]  # the roster's column: "(id)" updates that assignment
    assert read["points"] == ["127"]
    assert read["students"] == [["39201", "127"], ["39202", "84.5"], ["39203", ""]]


@pytest.mark.parametrize("header", [["Name", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab"],
                                    ["Student", "ID", "SIS Login ID", "SIS User ID", "Section", "Lab"],
                                    ["Student", "ID", "Lab"]])
def test_the_canvas_rules_refuse_headers_canvas_refuses(header):
    with pytest.raises(ValueError, match="Invalid header row"):
        canvas_reads([header])
