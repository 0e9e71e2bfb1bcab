"""pytest on a submission folder: a file that does not parse is one line, -k selects a function,
and the prints of a failing function are its captured output."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.commands.test_check import clean_env
from tests.formats.test_terminal import prints_in_backward
from tests.timing import scaled


def pytest_in(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", str(folder), "-p", "no:cacheprovider", *args],
                          cwd=folder, capture_output=True, text=True, env=clean_env(), timeout=scaled(300))


def folder_with(tmp_path: Path, repo_root: Path, source: str) -> Path:
    (tmp_path / "two_layer_net.py").write_text(source, encoding="utf-8")
    shutil.copy(repo_root / "student" / "conftest.py", tmp_path / "conftest.py")
    return tmp_path


def test_a_file_that_does_not_parse_is_one_collection_error(tmp_path, repo_root):
    folder = folder_with(tmp_path, repo_root, "import numpy as np\n\ndef f(x:\n    pass\n")
    done = pytest_in(folder)
    assert done.returncode == 2, done.stdout
    assert "two_layer_net.py does not parse: line 3: `'(' was never closed`" in done.stdout.splitlines()
    assert "Traceback" not in done.stdout and "_pytest" not in done.stdout
    assert len(done.stdout.splitlines()) < 20


def test_k_selects_one_function_and_runs_only_its_checks(repo_root):
    done = pytest_in(repo_root / "student", "-k", "forward_propagation")
    assert "1 failed, 7 deselected" in done.stdout.splitlines()[-1], done.stdout
    assert "forward_propagation is not implemented yet (it raises NotImplementedError): 4 checks" in done.stdout


def test_a_failing_function_s_prints_are_its_captured_output(tmp_path, repo_root, reference_file):
    folder = prints_in_backward(reference_file, tmp_path).parent
    shutil.copy(repo_root / "student" / "conftest.py", folder / "conftest.py")
    done = pytest_in(folder, "-k", "backward_propagation")
    assert done.stdout.count("Captured stdout call") == 1, done.stdout
    assert "debug line 19" in done.stdout and "debug line 20" not in done.stdout
    assert "more lines cut" in done.stdout
    shown = pytest_in(folder, "-k", "backward_propagation", "-s")
    assert "debug line 0" in shown.stdout
