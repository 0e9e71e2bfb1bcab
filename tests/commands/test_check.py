"""`backprop-lab check`: exit codes, the report's last line, --json, --hidden, and pytest on student/."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from grader.checks import catalogue
from grader.cli import main
from grader.contract import TODO_FUNCTIONS, TRAINING
from tests.gradescope_schema import GRADESCOPE_SCHEMA
from tests.timing import scaled

PUBLIC = [c for c in catalogue(include_hidden=False)]
HIDDEN = [c for c in catalogue(include_hidden=True) if c.hidden]
PUBLIC_POINTS = sum(c.points for c in PUBLIC)


BROKEN_FILES = {
    "syntax_error": "import numpy as np\n\ndef forward_propagation(X, parameters:\n    pass\n",
    "raises_at_import": "import numpy as np\n\nWEIGHTS = np.load('weights.npy')\n",
    "exits_at_import": "import sys\n\nsys.exit(3)\n",
    "exits_quietly_at_import": "raise SystemExit\n",
}


def clean_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    return env


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def summary(report: str) -> str:
    """The closing paragraph of ``check``'s report (wrapped at the terminal's width) as one line."""
    return " ".join(report.strip().split("\n\n")[-1].split())


def test_reference_exits_0_with_full_public_points(capsys, reference_file):
    assert main(["check", str(reference_file)]) == 0
    closing = summary(capsys.readouterr().out)
    assert f"{len(PUBLIC)}/{len(PUBLIC)} checks passed" in closing
    assert f"Points: {PUBLIC_POINTS:g}/{PUBLIC_POINTS:g}" in closing
    assert f"{len(HIDDEN)} hidden checks" in closing


def test_report_is_grouped_by_function(capsys, reference_file):
    main(["check", str(reference_file)])
    out = capsys.readouterr().out
    headings = [line.split()[0] for line in out.splitlines() if re.match(r"^\w+\s+\([\d.]+/[\d.]+\)$", line)]
    assert headings == list(dict.fromkeys(c.function for c in PUBLIC))


def test_stub_exits_1_with_zero_points_and_no_traceback(capsys, stub_file):
    assert main(["check", str(stub_file)]) == 1
    captured = capsys.readouterr()
    assert f"Points: 0/{PUBLIC_POINTS:g}" in summary(captured.out)
    assert "Traceback" not in captured.out + captured.err


def assert_one_error_line(captured, *words: str) -> None:
    assert captured.out == ""
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in captured.err
    for word in words:
        assert word in lines[0]


def test_missing_file_exits_2_with_one_error_line(capsys, tmp_path):
    missing = tmp_path / "two_layer_net.py"
    assert main(["check", str(missing)]) == 2
    assert_one_error_line(capsys.readouterr(), str(missing))


def test_folder_instead_of_file_exits_2_with_one_error_line(capsys, tmp_path):
    assert main(["check", str(tmp_path)]) == 2
    assert_one_error_line(capsys.readouterr(), str(tmp_path))


@pytest.mark.parametrize("kind", sorted(BROKEN_FILES))
def test_unusable_file_exits_2_with_one_error_line(capsys, tmp_path, kind):
    path = tmp_path / "two_layer_net.py"
    path.write_text(BROKEN_FILES[kind], encoding="utf-8")
    assert main(["check", str(path)]) == 2
    expected_words = {
        "syntax_error": ("does not parse", "line 3"),
        "raises_at_import": ("fails when imported", "FileNotFoundError"),
        "exits_at_import": ("fails when imported", "SystemExit"),
        "exits_quietly_at_import": ("fails when imported", "SystemExit"),
    }[kind]
    assert_one_error_line(capsys.readouterr(), str(path), *expected_words)


def read_results(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    return data


def assert_points_add_up(data: dict) -> None:
    assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]))
    for test in data["tests"]:
        assert test["score"] in (0, test["max_score"])


def test_json_writes_gradescope_results_for_the_reference(capsys, tmp_path, reference_file):
    out = tmp_path / "results" / "results.json"
    assert main(["check", str(reference_file), "--json", str(out)]) == 0
    data = read_results(out)
    assert_points_add_up(data)
    assert data["score"] == PUBLIC_POINTS
    assert [t["name"] for t in data["tests"]] == [c.name for c in PUBLIC]
    assert {t["visibility"] for t in data["tests"]} == {"visible"}


def test_json_for_the_stub_gives_zero_and_says_why(capsys, tmp_path, stub_file):
    out = tmp_path / "results.json"
    assert main(["check", str(stub_file), "--json", str(out)]) == 1
    data = read_results(out)
    assert_points_add_up(data)
    assert data["score"] == 0
    assert sum(t["max_score"] for t in data["tests"]) == PUBLIC_POINTS
    assert all("not implemented" in t["output"] for t in data["tests"])


def test_hidden_reports_more_checks_than_without(capsys, tmp_path, reference_file):
    public_out, hidden_out = tmp_path / "public.json", tmp_path / "hidden.json"
    assert main(["check", str(reference_file), "--json", str(public_out)]) == 0
    assert main(["check", str(reference_file), "--hidden", "--json", str(hidden_out)]) == 0
    public, hidden = read_results(public_out), read_results(hidden_out)
    assert len(hidden["tests"]) == len(public["tests"]) + len(HIDDEN) > len(public["tests"])
    assert_points_add_up(hidden)
    assert hidden["score"] > public["score"]
    hidden_only = [t for t in hidden["tests"] if t["name"] not in {p["name"] for p in public["tests"]}]
    assert hidden_only and all(t["visibility"] != "visible" for t in hidden_only)
    assert "hidden checks" not in summary(capsys.readouterr().out)  # all of them ran


def console_script() -> str:
    beside_python = Path(sys.executable).with_name("backprop-lab")
    found = str(beside_python) if beside_python.is_file() else shutil.which("backprop-lab")
    assert found, "the backprop-lab console script is not installed (pip install -e '.[dev]')"
    return found


def test_console_script_checks_the_reference(repo_root):
    done = subprocess.run([console_script(), "check", "solutions/two_layer_net.py"], cwd=repo_root,
                          capture_output=True, text=True, env=clean_env(), timeout=scaled(120))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Points: {PUBLIC_POINTS:g}/{PUBLIC_POINTS:g}" in summary(done.stdout)
    assert done.stderr == ""


def test_console_script_reports_a_missing_file_in_one_line(tmp_path):
    done = subprocess.run([console_script(), "check", "missing.py"], cwd=tmp_path,
                          capture_output=True, text=True, env=clean_env(), timeout=scaled(120))
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1


def test_checking_does_not_import_scikit_learn(reference_file):
    """scikit-learn costs a second to import; the checks read the recorded moons data instead."""
    code = ("import sys\nfrom pathlib import Path\nfrom grader.runner import check_file\n"
            f"report = check_file(Path({str(reference_file)!r}))\n"
            "assert report.all_passed\nprint(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=clean_env(), timeout=scaled(120))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# ------------------------------------------------------------------ pytest on a submission folder


def run_pytest(target: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", str(target), "-q", "-p", "no:cacheprovider", "-rfE"],
                          cwd=cwd, capture_output=True, text=True, env=clean_env(), timeout=scaled(300))


STUB_ITEMS = list(TODO_FUNCTIONS) + [c.name for c in PUBLIC if c.function == TRAINING]


def test_pytest_on_the_stub_gives_one_failing_item_per_unimplemented_function(repo_root):
    done = run_pytest(Path("student"), repo_root)
    closing = last_line(done.stdout)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(rf"\b{len(STUB_ITEMS)} failed\b", closing), closing
    assert "error" not in closing and "passed" not in closing, closing
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED ")]
    assert len(failed) == len(STUB_ITEMS)
    for function in TODO_FUNCTIONS:
        points = sum(c.points for c in PUBLIC if c.function == function)
        checks = sum(c.function == function for c in PUBLIC)
        assert (f"\n{function} is not implemented yet (it raises NotImplementedError): {checks} checks, "
                f"{points:g} points\n") in done.stdout
    assert len(done.stdout.splitlines()) < 45


@pytest.mark.slow
def test_pytest_passes_on_a_folder_with_the_reference(repo_root, reference_file, tmp_path):
    shutil.copy(reference_file, tmp_path / "two_layer_net.py")
    shutil.copy(repo_root / "student" / "conftest.py", tmp_path / "conftest.py")
    done = run_pytest(tmp_path, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(rf"\b{len(PUBLIC)} passed\b", last_line(done.stdout)), done.stdout
