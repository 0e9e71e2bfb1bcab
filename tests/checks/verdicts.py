"""The verdicts of every submission the kit knows, as data: which functions keep full points, and the total.

Graded with every check (public and hidden) on a secret grading draw, in this process, as
``tests/checks/test_draws.py`` grades. The submissions: every known mistake and hand-written bug of the
corpus (``tests/variants/corpus.py``), every correct variant (``tests/variants/correct/``), the reference
and the examples of ``examples/submissions/``.

``verdicts_24a2a9f.json`` was written by this script at commit 24a2a9f, with the catalogue as it was
before the hidden training checks were redesigned (three 1000-sample, 100-epoch moons runs);
``test_verdicts.py`` grades the same submissions with the catalogue of today and compares. Record again
only to describe a catalogue that is meant to be the new baseline:

    PYTHONPATH=. python -m tests.checks.verdicts tests/checks/verdicts_<commit>.json
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from grader.bridge.inprocess import InProcessBridge, load_submission
from grader.checks import Draw, catalogue
from grader.contract import REFERENCE_FILE
from grader.reference import LiveReference
from grader.results import Report
from grader.runner import run_checks
from tests.variants import corpus
from tests.variants.build import CORRECT_DIR, assemble

ROOT = Path(__file__).resolve().parents[2]
SECRET = b"a course secret, number 0"  # the secret test_draws.py grades the known mistakes under


def submissions(folder: Path) -> dict[str, Path]:
    """name -> full submission file, written into ``folder`` where it has to be assembled.

    Names: "mistake/<name>", "buggy/<stem>", "correct/<stem>", "example/<stem>", "reference".
    """
    found = {"reference": REFERENCE_FILE}
    for bug in corpus.bugs():
        kind = "buggy" if bug.source is not None else "mistake"
        name = bug.source.stem if bug.source is not None else bug.name
        found[f"{kind}/{name}"] = corpus.write(bug, folder / kind)
    for variant in sorted(CORRECT_DIR.glob("*.py")):
        found[f"correct/{variant.stem}"] = assemble(variant, folder / "correct" / variant.stem)
    for example in sorted((ROOT / "examples" / "submissions").glob("*.py")):
        found[f"example/{example.stem}"] = example
    return found


def verdict(report: Report) -> dict:
    """{"full": {function: True when it kept every point}, "score", "max_score", "failed": [check names]}."""
    return {"full": {function: got == most for function, (got, most) in report.points_by_function().items()},
            "score": report.score, "max_score": report.max_score,
            "failed": [r.name for r in report.results if not r.passed]}


def grade_all(folder: Path, secret: bytes = SECRET) -> dict[str, dict]:
    """name -> verdict of every submission, graded on ``secret``'s grading draw with one shared reference."""
    reference = LiveReference(REFERENCE_FILE)
    checks = catalogue(include_hidden=True, draw=Draw.secret("grading", secret))
    return {name: verdict(run_checks(InProcessBridge(load_submission(path)), checks, lambda check: reference))
            for name, path in submissions(folder).items()}


def main(out: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        recorded = grade_all(Path(folder))
    Path(out).write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(recorded)} submissions recorded in {out}")


if __name__ == "__main__":
    main(sys.argv[1])
