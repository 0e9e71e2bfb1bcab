"""Gradescope's side of DIR/gradescope/autograder.zip: ``run_autograder`` runs this module.

It finds the student's file in the submission folder, grades it with ``backprop-lab grade``
(the isolated grader: the submission runs in a sandboxed child process, never here) and
writes Gradescope's ``results.json``. Whatever goes wrong, a valid results.json is written:
a submission that cannot be graded gets score 0 and a message saying why.

Environment (defaults are Gradescope's layout; the kit's tests point them at temporary folders):
    AUTOGRADER_ROOT         /autograder
    AUTOGRADER_SUBMISSION   $AUTOGRADER_ROOT/submission
    AUTOGRADER_RESULTS      $AUTOGRADER_ROOT/results/results.json
    AUTOGRADER_TIMEOUT      seconds allowed per call into the submission (default 5)
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from grader.commands.grade.store import EXTRA_KEY
from grader.commands.grade.worker import GRADER_ERROR
from grader.contract import SUBMISSION_FILE

DEFAULT_CALL_TIMEOUT = "5"  # a hostile file that hangs in every call still ends well inside Gradescope's 10 min
IGNORED_FILES = ("conftest.py",)  # shipped with the student kit, never the submission
OUTPUT_TAIL = 2000  # characters of the grader's own output quoted when it fails


class NoSubmission(ValueError):
    """The submission folder holds no file that can be graded; the message is for the student."""


def _python_files(folder: Path) -> list[Path]:
    """.py files at the top of ``folder`` and one folder down, without hidden or dunder names."""
    def visible(path: Path) -> bool:
        return not any(part.startswith((".", "__")) for part in path.relative_to(folder).parts)

    found = [*folder.glob("*.py"), *folder.glob("*/*.py")]
    return sorted((p for p in found if p.is_file() and visible(p)), key=lambda p: (len(p.parts), str(p)))


def find_submission(folder: Path) -> tuple[Path, str]:
    """(the file to grade, a note for the student when it was not simply ``two_layer_net.py``).

    Order: ``two_layer_net.py`` at the top; else one ``two_layer_net.py`` a folder down; else
    the only ``.py`` file there is. Raises NoSubmission otherwise.
    """
    files = _python_files(folder)
    exact = [p for p in files if p.name == SUBMISSION_FILE]
    if exact and exact[0].parent == folder:
        return exact[0], ""
    shown = ", ".join(str(p.relative_to(folder)) for p in files) or "none"
    if len(exact) == 1:
        return exact[0], f"graded {exact[0].relative_to(folder)}."
    if len(exact) > 1:
        raise NoSubmission(f"found several {SUBMISSION_FILE} files ({shown}); submit exactly one.")
    candidates = [p for p in files if p.name not in IGNORED_FILES]
    if len(candidates) == 1:
        return candidates[0], (f"graded {candidates[0].relative_to(folder)} as {SUBMISSION_FILE} "
                               "(the only Python file submitted).")
    raise NoSubmission(f"no {SUBMISSION_FILE} was found in the submission (Python files found: {shown}). "
                       f"Submit your {SUBMISSION_FILE}.")


def failed_results(message: str) -> dict:
    """results.json for a submission that could not be graded at all."""
    return {"score": 0.0, "tests": [], "output": message}


def grade(submission: Path, timeout: str) -> dict:
    """Grade one file with ``python -m grader grade``; returns its results.json data.

    Raises RuntimeError (with the grader's output) when no results were written.
    """
    with tempfile.TemporaryDirectory(prefix="backprop-lab-autograder-") as scratch:
        staged = Path(scratch) / "in" / SUBMISSION_FILE
        staged.parent.mkdir()
        shutil.copyfile(submission, staged)
        out = Path(scratch) / "out"
        done = subprocess.run(
            [sys.executable, "-m", "grader", "grade", str(staged), "--out", str(out), "--jobs", "1",
             "--timeout", timeout],
            capture_output=True, text=True, errors="replace")
        results = sorted((out / "results").glob("*.json"))
        if len(results) != 1:
            raise RuntimeError(f"the grader wrote no results (exit status {done.returncode}):\n"
                               f"{(done.stdout + done.stderr)[-OUTPUT_TAIL:]}")
        return json.loads(results[0].read_text(encoding="utf-8"))


def _status(results: dict) -> str:
    return results.get("extra_data", {}).get(EXTRA_KEY, {}).get("status", "")


def main() -> int:
    root = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    folder = Path(os.environ.get("AUTOGRADER_SUBMISSION", root / "submission"))
    results_path = Path(os.environ.get("AUTOGRADER_RESULTS", root / "results" / "results.json"))
    timeout = os.environ.get("AUTOGRADER_TIMEOUT", DEFAULT_CALL_TIMEOUT)
    try:
        submission, note = find_submission(folder)
        results = grade(submission, timeout)
        if _status(results) == GRADER_ERROR:  # our side failed, not the submission: once more
            results = grade(submission, timeout)
        if note:
            results["output"] = "\n".join(filter(None, [note, results.get("output", "")]))
    except NoSubmission as error:
        results = failed_results(str(error))
    except Exception as error:  # the grader itself failed: still give Gradescope a valid file
        results = failed_results(f"The autograder could not grade this submission; please tell your "
                                 f"instructor. ({type(error).__name__}: {error})")
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"score {results.get('score', 0):g}; results written to {results_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
