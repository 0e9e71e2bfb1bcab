"""Gradescope's side of DIR/gradescope/autograder.zip: ``run_autograder`` runs this module.

It finds the student's file (``two_layer_net.py`` or a notebook) in the submission folder, grades
it with ``backprop-lab grade``, run in this process (the isolated grader: the submission runs in a
sandboxed child process, never here), and writes Gradescope's ``results.json``. Whatever goes
wrong, a valid results.json is written: a submission that cannot be graded gets score 0 and a message saying why.

Environment (defaults are Gradescope's layout; the kit's tests point them at temporary folders):
    AUTOGRADER_ROOT         /autograder
    AUTOGRADER_SUBMISSION   $AUTOGRADER_ROOT/submission
    AUTOGRADER_RESULTS      $AUTOGRADER_ROOT/results/results.json
    AUTOGRADER_TIMEOUT      seconds allowed per call into the submission (default 5)
"""
from __future__ import annotations

import json
import os
import runpy
import shutil
import stat
import sys
import tempfile
from pathlib import Path

from grader.contract import SUBMISSION_FILE
from grader.files import refusal
from grader.formats.gradescope import EXTRA_KEY
from grader.i18n import _
from grader.status import Status
from grader.submission import NOTEBOOK_SUFFIX, choose

DEFAULT_CALL_TIMEOUT = "5"  # a hostile file that hangs in every call still ends well inside Gradescope's 10 min
IGNORED_FILES = ("conftest.py",)  # shipped with the student kit, never the submission
OUTPUT_TAIL = 2000  # characters of the grader's own output quoted when it fails


class NoSubmission(ValueError):
    """The submission folder holds no file that can be graded; the message is for the student."""


GRADED_SUFFIXES = (".py", NOTEBOOK_SUFFIX)


def _python_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """(.py and .ipynb entries at the top of ``folder`` and one real folder down, links included so that
    they can be refused by name; folder links, which are never looked into). No hidden or dunder names."""
    files: list[Path] = []
    linked_folders: list[Path] = []
    for entry in _visible_entries(folder):
        if entry.is_dir(follow_symlinks=False):
            files += [Path(e.path) for e in _visible_entries(Path(entry.path))
                      if e.name.endswith(GRADED_SUFFIXES) and not e.is_dir(follow_symlinks=False)]
        elif entry.name.endswith(GRADED_SUFFIXES):
            files.append(Path(entry.path))
        elif entry.is_symlink() and os.path.isdir(entry.path):  # only to name it in the message
            linked_folders.append(Path(entry.path))
    return sorted(files, key=lambda p: (len(p.parts), str(p))), linked_folders


def _visible_entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as entries:
            return [e for e in entries if not e.name.startswith((".", "__"))]
    except OSError:
        return []


def find_submission(folder: Path) -> tuple[Path, str]:
    """(the file to grade, a note for the student when it was not simply ``two_layer_net.py``).

    Order: ``two_layer_net.py`` at the top; else one ``two_layer_net.py`` a folder down; else
    the only ``.py`` file there is. Notebooks (``.ipynb``) are candidates beside ``two_layer_net.py``:
    among a student's files (at the top, else a folder down) the one in which more of the functions to
    write are written is graded (``grader.submission.choose``; on a tie the ``.py``), and the note says so.
    Links are never followed: a chosen file that is a link (or
    not a regular file) is refused, and a folder that is a link is not looked into. Raises
    NoSubmission otherwise.
    """
    files, linked_folders = _python_files(folder)
    chosen, note = _choose(folder, files, linked_folders)
    problem = refusal(chosen)
    if problem:
        raise NoSubmission(f"{problem}. Nothing was graded.")
    return chosen, note


def _choose(folder: Path, files: list[Path], linked_folders: list[Path]) -> tuple[Path, str]:
    exact = [p for p in files if p.name == SUBMISSION_FILE]
    notebooks = [p for p in files if p.suffix == NOTEBOOK_SUFFIX]
    if notebooks and len(exact) <= 1:
        own = exact + notebooks
        own = [p for p in own if p.parent == folder] or own
        readable = [p for p in own if not refusal(p)] or own  # a link is never read to choose; refused later
        chosen, why = choose(readable)
        return chosen, (why + "." if why else "" if chosen.parent == folder and len(own) == 1
                        else _("graded {file}.", file=chosen.relative_to(folder)))
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
    links = ""
    if linked_folders:
        links = (" Folders that are symbolic links are not looked into: "
                 + ", ".join(p.name for p in linked_folders) + ".")
    raise NoSubmission(f"no {SUBMISSION_FILE} was found in the submission (Python files found: {shown}).{links} "
                       f"Submit your {SUBMISSION_FILE}.")


def failed_results(message: str) -> dict:
    """results.json for a submission that could not be graded at all."""
    return {"score": 0.0, "tests": [], "output": message}


def grade(submission: Path, timeout: str) -> dict:
    """Grade one file with ``python -m grader grade``, run in this process; returns its results.json data.

    Raises RuntimeError (with the grader's output) when no results were written.
    """
    with tempfile.TemporaryDirectory(prefix="backprop-lab-autograder-") as scratch:
        # a notebook keeps its name (the feedback names the file the student knows); a .py is the assignment's file
        staged = Path(scratch) / "in" / (submission.name if submission.suffix == NOTEBOOK_SUFFIX else SUBMISSION_FILE)
        staged.parent.mkdir()
        _copy_regular_file(submission, staged)
        out = Path(scratch) / "out"
        # --no-html: Gradescope shows results.json; the HTML pages would be drawn into this throw-away folder
        log = Path(scratch) / "grader.log"
        status = _grade_here(["grade", str(staged), "--out", str(out), "--jobs", "1", "--timeout", timeout,
                              "--no-html"], log)
        results = sorted((out / "results").glob("*.json"))
        if len(results) != 1:
            output = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
            raise RuntimeError(f"the grader wrote no results (exit status {status}):\n{output[-OUTPUT_TAIL:]}")
        return json.loads(results[0].read_text(encoding="utf-8"))


def _grade_here(argv: list[str], log: Path) -> int:
    """``python -m grader ARGV`` run in this process (``runpy``: the program, as the subprocess ran it
    before), its output and that of every process it starts written to ``log``; returns its exit status.

    In this process, not a second interpreter: that saved ~0.1 s of the ~0.9 s a submission takes
    (an interpreter start, and the grader imported twice). Nothing is lost in safety: the submission
    never runs in this process (``grade`` runs it in a sandboxed child), ``python -m grader`` drops
    the working folder from sys.path as it did there (``run_autograder`` starts this module in the
    kit's folder anyway; the submission is staged in a scratch folder), and a grader that fails or
    ends the process still leaves ``run_autograder`` to write a valid results.json.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    saved_fds, saved_argv = [os.dup(1), os.dup(2)], sys.argv
    with open(log, "wb") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
    sys.argv = ["backprop-lab", *argv]
    try:
        runpy.run_module("grader", run_name="__main__", alter_sys=True)
        return 0
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 1
    finally:
        sys.argv = saved_argv
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, copy in zip((1, 2), saved_fds, strict=True):
            os.dup2(copy, fd)
            os.close(copy)


def _copy_regular_file(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` without following a link (find_submission checked it; this
    holds even if it was swapped since). Raises NoSubmission for a link or a non-regular file."""
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        raise NoSubmission(refusal(source) or f"{source.name} cannot be read ({error.strerror}).") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NoSubmission(f"{source.name} is not a regular file; submit the file itself.")
    with os.fdopen(fd, "rb") as handle:
        with open(target, "wb") as copy:
            shutil.copyfileobj(handle, copy)


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
        if _status(results) == Status.GRADER_ERROR:  # our side failed, not the submission: once more
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
