"""Gradescope's results.json: {"score", "tests": [{"name", "score", "max_score", "output", "visibility"}]}."""
from __future__ import annotations

import json
from pathlib import Path

from grader.formats import status_note
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
            "output": r.output,
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
