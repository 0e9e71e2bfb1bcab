"""DIR/otter/autograder.zip: otter-grader 7's autograder, built with otter's own ``otter generate``.

Writes one otter test file per scored function (``grader.formats.otter.test_files``), a
support folder holding a copy of the ``grader`` package, otter's own draw and the reference's
observations for the checks as otter asks them, ``requirements.txt`` and
``otter_config.json``, then runs ``otter generate``. How otter places the support folder at
grading time is explained in ``grader/formats/otter.py``.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from grader.checks import Draw
from grader.contract import PACKAGE_DIR
from grader.formats.otter import ALL_EXPECTED, OTTER_DRAW, SUPPORT_DIR, otter_catalogue, test_files
from grader.recording import record_expected
from grader.reference import course_secret

# What a submission may import at grading time, beyond otter's own environment.
REQUIREMENTS = ("numpy", "scikit-learn", "matplotlib", "nbformat")  # nbformat: a notebook's graded code
OTTER_CONFIG = {
    "show_hidden": True,  # hidden results are shown once grades are published, as in grader.formats.gradescope
    "force_public_test_summary": True,
}
# Parts of the grader package the checks do not need (and the public fixture, superseded by ALL_EXPECTED).
NOT_SHIPPED = ("commands", "cli.py", "__main__.py", "__pycache__", "*.pyc", "public_expected.bin")


class OtterUnavailable(RuntimeError):
    """otter-grader is not installed in this environment (``pip install "backprop-lab[otter]"``)."""


def write_test_files(tests_dir: Path) -> list[Path]:
    tests_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for file_name, source in test_files().items():
        path = tests_dir / file_name
        path.write_text(source, encoding="utf-8")
        paths.append(path)
    return paths


def write_support(support_dir: Path, language: str = "en") -> Path:
    """Copy the grader package into ``support_dir`` (speaking ``language`` by default) and record the
    reference's observations of every check as otter asks it (see ``otter_catalogue``)."""
    package = support_dir / "grader"
    if package.exists():
        shutil.rmtree(package)
    shutil.copytree(PACKAGE_DIR, package, ignore=shutil.ignore_patterns(*NOT_SHIPPED))
    (package / "locale" / "default").write_text(f"{language}\n", encoding="utf-8")  # the feedback's language
    key = Draw.secret("otter", course_secret()).key
    (package / "fixtures" / OTTER_DRAW).write_text(json.dumps({"key": key.hex()}) + "\n", encoding="utf-8")
    record_expected(package / "fixtures" / ALL_EXPECTED, otter_catalogue(key))
    return package


def build_autograder(out_dir: Path, language: str = "en") -> Path:
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
    write_support(out_dir / SUPPORT_DIR, language)
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
