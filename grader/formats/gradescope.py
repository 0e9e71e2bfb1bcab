"""Gradescope's results.json: {"score", "tests": [{"name", "score", "max_score", "output", "visibility"}]}.

``name`` is the check's English name, a stable id (a re-run and stored grades read it);
``output`` (and the report's ``output``) is in the language in use, the check's title first when
the language is not English, so that a student reads which check it is in their language.
"""
from __future__ import annotations

import json
from pathlib import Path

from grader.formats import status_note, titled_output
from grader.results import Report

# Hidden checks count from the start but students see them only once grades are published.
HIDDEN_VISIBILITY = "after_published"
EXTRA_KEY = "backprop_lab"  # results.json's extra_data.backprop_lab: status, error, fingerprints (a re-run reads it)


def to_dict(report: Report) -> dict:
    tests = [
        {
            "name": r.name,
            "score": r.score,
            "max_score": r.max_score,
            "output": titled_output(r),
            "visibility": HIDDEN_VISIBILITY if r.hidden else "visible",
        }
        for r in report.results
    ]
    result = {"score": report.score, "tests": tests}
    if status_note(report):
        result["output"] = status_note(report)
    return result


def write(report: Report, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_dict(report), indent=2) + "\n", encoding="utf-8")
