"""otter-grader 7's format: exception-based test files, and check results as their assertions.

- ``test_files(checks)``: one otter test file per scored function (``tests/<function>.py``,
  one ``@test_case`` per check with its points and visibility); the release command
  (``grader/commands/release/otter.py``) writes them into the autograder zip;
- ``assert_passed(env, check_name)``: what each generated test case calls inside otter's
  kernel. ``env`` is the submission's globals (for a notebook, the functions of its graded code,
  run afresh: ``graded_namespace``); the runner runs the checks once per submission on them
  (``grader.runner.run_on_namespace``) against the recorded
  observations, and a failed check becomes an ``AssertionError`` with the same message
  ``backprop-lab check`` prints.

How otter places the support folder (read in otter 7.0.0's source, verified with
``otter run``): ``otter generate FILES`` stores each file under ``files/`` in the
zip; at grading time ``prepare_files`` copies every entry of ``files/`` into the
submission folder, which is the kernel's working directory and is appended to its
``sys.path``. The submission folder must hold exactly one ``.py`` file (the
submission), so the support code travels as a folder, never as loose modules, and
the generated tests put that folder on ``sys.path`` before importing ``grader``.

Otter runs these tests in the student's own kernel, so a submission can tamper
with the verdicts, and everything in the zip is readable by the student's code; so the
zip holds nothing that helps against ``backprop-lab grade``, the hardened path: the
public checks ask the practice questions (their answers ship in the student kit anyway),
and the hidden ones ask otter's own draw (``Draw.secret("otter", ...)``: its key ships
here, and tells nothing of the grading draw's questions or answers).
"""
from __future__ import annotations

import json
import os
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader.bridge import SubmissionLoadError
from grader.bridge.calls import exec_submission, read_code
from grader.checks import PRACTICE, Check, Draw, catalogue
from grader.contract import FIXTURES_DIR, SCORED
from grader.formats import status_note, titled_output
from grader.reference import RecordedReference
from grader.results import CheckResult, Report
from grader.runner import run_on_namespace
from grader.submission import NOTEBOOK_SUFFIX

SUPPORT_DIR = "backprop_lab_support"  # the folder shipped beside the submission at grading time
ALL_EXPECTED = "all_expected.bin"  # in grader/fixtures/ of the shipped copy: public + hidden observations
OTTER_DRAW = "otter_draw.json"  # in grader/fixtures/ of the shipped copy: the key of otter's own draw


# -- grading side: runs inside otter's kernel --------------------------------------------------

_verdicts: dict[int, tuple[dict[str, Any], dict[str, CheckResult]]] = {}


def verdicts(env: dict[str, Any]) -> dict[str, CheckResult]:
    """check name -> result for the submission whose globals are ``env`` (computed once per ``env``)."""
    cached = _verdicts.get(id(env))
    if cached is None or cached[0] is not env:  # holding env keeps its id from being reused
        cached = (env, _run_catalogue(env))
        _verdicts[id(env)] = cached
    return cached[1]


def _run_catalogue(env: dict[str, Any]) -> dict[str, CheckResult]:
    key = bytes.fromhex(json.loads((FIXTURES_DIR / OTTER_DRAW).read_text(encoding="utf-8"))["key"])
    checks = otter_catalogue(key)
    try:
        namespace, notes = graded_namespace(env)
    except SubmissionLoadError as error:  # the notebook cannot be graded: every check says why
        return {check.name: check.result(False, str(error)) for check in checks}
    report = run_on_namespace(namespace, checks, RecordedReference(FIXTURES_DIR / ALL_EXPECTED), notes=notes)
    return {result.name: replace(result, output=failure_message(result, report)) for result in report.results}


def graded_namespace(env: dict[str, Any], folder: str = "") -> tuple[dict[str, Any], dict[str, str]]:
    """The functions to check, and notes for their feedback. Otter runs a notebook submission's every
    cell in its kernel (training, plots, a student's ``check(...)``, whatever patches what) and hands
    over the kernel's globals ``env``; a notebook is graded by function (``grader/submission.py``), so
    its graded code runs afresh here, from the one ``.ipynb`` in the submission folder (``folder``,
    default the working directory otter runs the tests in). A ``.py`` submission's ``env`` is used as
    it is. Raises SubmissionLoadError when the notebook cannot be graded."""
    notebooks = sorted(Path(folder or os.getcwd()).glob("*" + NOTEBOOK_SUFFIX))
    if len(notebooks) != 1:  # otter refuses a submission of several notebooks before the tests run
        return env, {}
    code = read_code(notebooks[0])
    return vars(exec_submission(code.text, notebooks[0])), code.notes


def otter_catalogue(key: bytes) -> list[Check]:
    """The checks as otter asks them: public ones on the practice questions, hidden ones on
    otter's own draw (key ``key``)."""
    return catalogue(include_hidden=True, draw=PRACTICE, hidden_draw=Draw("otter", key))


def assert_passed(env: dict[str, Any], check_name: str) -> None:
    """Raise AssertionError with the check's message unless it passed on this submission."""
    result = verdicts(env)[check_name]
    if not result.passed:
        raise AssertionError(result.output)


def failure_message(result: CheckResult, report: Report) -> str:
    """What a failed check's AssertionError says in otter's results (under the check's English
    name): its title in the language in use, its message, then what happened to the submission as
    a whole when that was not a normal run."""
    note = status_note(report)
    return titled_output(result) + (f"\n{note}" if note else "")


# -- the test files ---------------------------------------------------------------------------

# Runs in otter's kernel; otter parses test files with an empty namespace, so imports stay inside.
_TEST_FILE_HEAD = '''\
"""backprop-lab checks of {function}, generated by grader/formats/otter.py: do not edit."""
from otter.test_files import test_case

OK_FORMAT = False

name = {function!r}


def _kit():
    """The kit's grader package, shipped in the folder {support} beside the submission."""
    import os
    import sys

    for entry in [os.getcwd(), *sys.path]:
        folder = os.path.join(entry or os.curdir, {support!r})
        if os.path.isfile(os.path.join(folder, "grader", "formats", "otter.py")):
            if folder not in sys.path:
                sys.path.insert(0, folder)
            from grader.formats import otter

            return otter
    raise ImportError("the folder {support} of the autograder was not found")
'''

_TEST_CASE = '''

@test_case(name={name!r}, points={points!r}, hidden={hidden!r})
def check_{index}(env):
    _kit().assert_passed(env, {name!r})
'''


def test_files(checks: list[Check] | None = None) -> "OrderedDict[str, str]":
    """file name -> source of an otter exception-based test file, one per scored function.

    checks  the catalogue to write (default: public and hidden checks)
    """
    if checks is None:
        checks = catalogue(include_hidden=True)
    files: OrderedDict[str, str] = OrderedDict()
    for function in SCORED:
        own = [check for check in checks if check.function == function]
        if not own:
            continue
        source = _TEST_FILE_HEAD.format(function=function, support=SUPPORT_DIR)
        for index, check in enumerate(own, start=1):
            source += _TEST_CASE.format(name=check.name, points=check.points, hidden=check.hidden, index=index)
        files[f"{function}.py"] = source
    return files
