"""DIR/gradescope/autograder.zip: a Gradescope autograder that uses the kit's isolated grader.

    setup.sh          a virtual environment with the kit installed (pip, from PyPI)
    run_autograder    grades /autograder/submission into /autograder/results/results.json
                      (the work is done by grader/commands/release/autograder.py)
    kit/              the instructors' kit: grader/ (hidden checks included), solutions/ (with the
                      course's grading secret), pyproject.toml, README.md. It is instructor-side:
                      students never see it.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from grader.commands.release.archive import write_zip
from grader.contract import REPO_ROOT
from grader.reference import SECRET_FILE, course_secret

SCRIPTS = ("setup.sh", "run_autograder")
KIT_FILES = ("pyproject.toml", "README.md")
KIT_FOLDERS = ("grader", "solutions")
TEMPLATES = Path(__file__).parent / "templates"


def stage(folder: Path, root: Path = REPO_ROOT, language: str = "en") -> Path:
    """Write the autograder's files into ``folder``, its feedback in ``language``; returns it."""
    for script in SCRIPTS:
        target = folder / script
        shutil.copyfile(TEMPLATES / script, target)
        target.chmod(0o755)
    kit = folder / "kit"
    for name in KIT_FOLDERS:
        shutil.copytree(root / name, kit / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in KIT_FILES:
        shutil.copyfile(root / name, kit / name)
    (kit / "grader" / "locale" / "default").write_text(f"{language}\n", encoding="utf-8")  # the results' language
    # The course's secret goes with it (Gradescope grades in a fresh container every time: without
    # it each one would draw other questions); the sandbox keeps submissions from reading it.
    (kit / "solutions" / SECRET_FILE.name).write_bytes(course_secret() + b"\n")
    return folder


def build(out_dir: Path, root: Path = REPO_ROOT, language: str = "en") -> Path:
    """Write ``out_dir/autograder.zip`` (feedback in ``language``); returns its path."""
    with tempfile.TemporaryDirectory(prefix="backprop-lab-gradescope-") as scratch:
        return write_zip(stage(Path(scratch), root, language), out_dir / "autograder.zip")
