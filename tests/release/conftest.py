"""Session fixtures of the release tests: one release, one student venv, one Gradescope install.

Every test that uses the release (``release_dir``, ``kit`` and the venvs depend on it) is marked
``slow`` here, and one that uses a venv (``student_venv``, ``gradescope_root``: pip installs from
the package index) ``network`` too, so ``-m "not slow"`` and ``-m "not network"`` leave them out
and a machine without the index skips them.

The release is built once per session into a temporary folder with ``backprop-lab release``
(``--skip-otter`` when otter-grader is not installed). The two virtual environments are real:
the student one gets only the kit's ``requirements.txt``, the Gradescope one is made by the
autograder's own ``setup.sh``; pip's cache makes the second and later installs quick.
"""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.commands import release
from tests.environment import package_index_missing
from tests.release.release_support import OTTER_INSTALLED, run

RELEASE_FIXTURES = ("release_dir",)  # `backprop-lab release`: slow
INDEX_FIXTURES = ("student_venv", "gradescope_root")  # pip installs from the package index: network


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used.intersection(RELEASE_FIXTURES):
            item.add_marker(pytest.mark.slow)
        if used.intersection(INDEX_FIXTURES):
            item.add_marker(pytest.mark.network)


def skip_without_package_index() -> None:
    if (reason := package_index_missing()) is not None:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def release_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "rel"
    status = release.main(out, skip_otter=not OTTER_INSTALLED)
    assert status == 0, "backprop-lab release failed; run it by hand to see why"
    return out


@pytest.fixture(scope="session")
def student_venv(release_dir, tmp_path_factory) -> Path:
    """A fresh venv with nothing but the kit's requirements.txt installed; returns its bin/ folder."""
    skip_without_package_index()
    venv = tmp_path_factory.mktemp("student-venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    installed = run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                     "-r", str(release_dir / "student" / "requirements.txt")])
    assert installed.returncode == 0, installed.stderr[-3000:]
    return venv / "bin"


@pytest.fixture
def kit(release_dir, tmp_path) -> Path:
    """A private copy of the student kit, as a student gets it: unzipped from student.zip."""
    with zipfile.ZipFile(release_dir / "student.zip") as archive:
        archive.extractall(tmp_path)
    return tmp_path / release.STUDENT_ZIP_FOLDER


@pytest.fixture(scope="session")
def gradescope_root(release_dir, tmp_path_factory) -> Path:
    """/autograder in a temporary folder: the zip unpacked into source/, then its setup.sh run."""
    skip_without_package_index()
    root = tmp_path_factory.mktemp("autograder")
    with zipfile.ZipFile(release_dir / "gradescope" / "autograder.zip") as archive:
        archive.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):  # zipfile does not restore permissions
        (root / "source" / script).chmod(0o755)
    done = run(["bash", str(root / "source" / "setup.sh")], env=os.environ | {"AUTOGRADER_ROOT": str(root)})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return root
