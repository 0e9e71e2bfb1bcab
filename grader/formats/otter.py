"""otter-grader 7: exception-based test files generated from the check catalogue.

Two halves live here, because the second one ships inside the autograder zip:

- instructor side, ``build_autograder(out_dir)``: writes one otter test file per
  scored function (``tests/<function>.py``, one ``@test_case`` per check with its
  points and visibility), a support folder holding a copy of the ``grader``
  package plus the reference's observations for the checks as otter asks them,
  ``requirements.txt`` and ``otter_config.json``, then runs otter's own ``otter generate``;
- grading side, ``assert_passed(env, check_name)``: what each generated test case
  calls inside otter's kernel. ``env`` is the submission's globals; the whole
  catalogue runs once per submission through ``grader.runner.run_checks`` (shared
  probes run once) against the recorded observations, and a failed check raises
  ``AssertionError`` with the same message ``backprop-lab check`` prints.

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
import shutil
import subprocess
import sys
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.contract import FIXTURES_DIR, PACKAGE_DIR, SCORED
from grader.results import CheckResult

if TYPE_CHECKING:
    from grader.checks.base import Check

SUPPORT_DIR = "backprop_lab_support"  # the folder shipped beside the submission at grading time
ALL_EXPECTED = "all_expected.bin"  # in grader/fixtures/ of the shipped copy: public + hidden observations
OTTER_DRAW = "otter_draw.json"  # in grader/fixtures/ of the shipped copy: the key of otter's own draw
# What a submission may import at grading time, beyond otter's own environment.
REQUIREMENTS = ("numpy", "scikit-learn", "matplotlib")
OTTER_CONFIG = {
    "show_hidden": True,  # hidden results are shown once grades are published, as in grader.formats.gradescope
    "force_public_test_summary": True,
}
# Parts of the grader package the checks do not need (and the public fixture, superseded by ALL_EXPECTED).
# The practice hidden data sets are not needed either: otter's hidden checks draw their own.
NOT_SHIPPED = ("commands", "cli.py", "__main__.py", "__pycache__", "*.pyc", "public_expected.bin",
               "moons_0.npz", "moons_1.npz", "moons_2.npz")


class OtterUnavailable(RuntimeError):
    """otter-grader is not installed in this environment (``pip install "backprop-lab[otter]"``)."""


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
    from grader.bridge.inprocess import InProcessBridge
    from grader.reference import RecordedReference
    from grader.runner import run_checks

    key = bytes.fromhex(json.loads((FIXTURES_DIR / OTTER_DRAW).read_text(encoding="utf-8"))["key"])
    reference = RecordedReference(FIXTURES_DIR / ALL_EXPECTED)
    report = run_checks(InProcessBridge(env), otter_catalogue(key), lambda check: reference)
    return {result.name: result for result in report.results}


def otter_catalogue(key: bytes) -> list[Check]:
    """The checks as otter asks them: public ones on the practice questions, hidden ones on
    otter's own draw (key ``key``)."""
    from grader.checks import PRACTICE, Draw, catalogue

    return catalogue(include_hidden=True, draw=PRACTICE, hidden_draw=Draw("otter", key))


def assert_passed(env: dict[str, Any], check_name: str) -> None:
    """Raise AssertionError with the check's message unless it passed on this submission."""
    result = verdicts(env)[check_name]
    if not result.passed:
        raise AssertionError(result.output)


# -- instructor side: generating the test files and the autograder zip -------------------------

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
        from grader.checks import catalogue

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


def write_test_files(tests_dir: Path) -> list[Path]:
    tests_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for file_name, source in test_files().items():
        path = tests_dir / file_name
        path.write_text(source, encoding="utf-8")
        paths.append(path)
    return paths


def write_support(support_dir: Path) -> Path:
    """Copy the grader package into ``support_dir`` and record the reference's observations of
    every check as otter asks it (see ``otter_catalogue``)."""
    from grader.checks import Draw
    from grader.commands.fixtures import record_expected
    from grader.reference import course_secret

    package = support_dir / "grader"
    if package.exists():
        shutil.rmtree(package)
    shutil.copytree(PACKAGE_DIR, package, ignore=shutil.ignore_patterns(*NOT_SHIPPED))
    key = Draw.secret("otter", course_secret()).key
    (package / "fixtures" / OTTER_DRAW).write_text(json.dumps({"key": key.hex()}) + "\n", encoding="utf-8")
    record_expected(package / "fixtures" / ALL_EXPECTED, otter_catalogue(key))
    return package


def build_autograder(out_dir: Path) -> Path:
    """Write tests, support folder, requirements and config into ``out_dir``; run ``otter generate``.

    Returns the path of ``out_dir/autograder.zip``. Raises OtterUnavailable without
    otter-grader, RuntimeError when ``otter generate`` fails.
    """
    _require_otter()
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    tests_dir = out_dir / "tests"
    if tests_dir.exists():
        shutil.rmtree(tests_dir)  # a stale test file of a renamed function would still be graded
    write_test_files(tests_dir)
    write_support(out_dir / SUPPORT_DIR)
    (out_dir / "requirements.txt").write_text("\n".join(REQUIREMENTS) + "\n", encoding="utf-8")
    (out_dir / "otter_config.json").write_text(json.dumps(OTTER_CONFIG, indent=2) + "\n", encoding="utf-8")
    _otter_generate(out_dir)
    return out_dir / "autograder.zip"


def _require_otter() -> None:
    try:
        import otter  # noqa: F401
    except ImportError:
        raise OtterUnavailable('otter-grader is not installed: pip install "backprop-lab[otter]"') from None


def _otter_generate(out_dir: Path) -> None:
    command = [sys.executable, "-m", "otter", "generate", "-t", "tests", "-r", "requirements.txt",
               "-c", "otter_config.json", "-o", "autograder.zip", SUPPORT_DIR]
    done = subprocess.run(command, cwd=out_dir, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"otter generate failed ({done.returncode}):\n{done.stderr.strip()}")
