"""What the student kit holds, and that it works on its own in a fresh virtual environment."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path

import pytest
import yaml

from grader.checks import catalogue
from grader.commands.release import STUDENT_ZIP_FOLDER, student_kit
from grader.commands.release.archive import write_zip
from grader.commands.release.modules import ShippedModuleError, closure
from grader.contract import SCORED, SUBMISSION_FILE, TODO_FUNCTIONS, TRAINING
from tests.release.release_support import EXAMPLES, REPO_ROOT, run, venv_env

if sys.version_info >= (3, 11):
    import tomllib

PUBLIC_CHECKS = catalogue(include_hidden=False)
NOT_FOR_STUDENTS = ("grader/checks/hidden.py", "grader/commands/grade", "grader/commands/release",
                    "grader/commands/assign.py", "grader/commands/fixtures.py", "grader/formats/otter.py",
                    "grader/bridge/isolated.py", "solutions", "mistakes.py")


def kit_files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


# -- contents -----------------------------------------------------------------------------------

def test_kit_has_what_a_student_needs_at_its_top_level(release_dir):
    files = kit_files(release_dir / "student")
    for needed in (SUBMISSION_FILE, "conftest.py", "pyproject.toml", "requirements.txt", "README.md",
                   "README.zh.md", ".github/workflows/autograde.yml", "docs/handout.en.md", "docs/handout.zh.md",
                   "docs/student-guide.md", "docs/student-guide.zh.md", "grader/checks/public.py",
                   "grader/fixtures/public_expected.bin", "grader/formats/pytest_plugin.py",
                   "grader/commands/train.py"):
        assert needed in files
    assert not [f for f in files if any(f.startswith(n) or f.endswith(n) for n in NOT_FOR_STUDENTS)]
    assert not [f for f in files if "__pycache__" in f]


def test_kit_stub_is_the_generated_stub_without_the_do_not_edit_header(release_dir):
    stub = (release_dir / "student" / SUBMISSION_FILE).read_text(encoding="utf-8")
    assert stub.count("raise NotImplementedError(") == 6
    assert "do not edit" not in stub
    assert stub in (REPO_ROOT / "student" / SUBMISSION_FILE).read_text(encoding="utf-8")


def test_readmes_speak_chinese_and_english_and_give_the_real_counts(release_dir):
    english = (release_dir / "student" / "README.md").read_text(encoding="utf-8")
    chinese = (release_dir / "student" / "README.zh.md").read_text(encoding="utf-8")
    assert len(re.findall(r"[\u4e00-\u9fff]", chinese)) > 300 and "README.zh.md" in english
    public_points = f"{sum(c.points for c in PUBLIC_CHECKS):g}"
    for text in (english, chinese):
        assert "$" not in text.replace("$GITHUB", "")  # every placeholder was filled
        assert f"{len(PUBLIC_CHECKS)} " in text and public_points in text


def test_requirements_are_the_student_dependencies_only(release_dir):
    requirements = (release_dir / "student" / "requirements.txt").read_text().split()
    names = {re.match(r"[\w.-]+", r).group(0).lower() for r in requirements}
    assert names == {"numpy", "scikit-learn", "matplotlib", "pytest", "tqdm", "rich", "nbformat"}


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is new in Python 3.11")
def test_student_requirements_match_the_kit_s_own_dependency_specs():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["dev"]
    assert set(student_kit.STUDENT_REQUIREMENTS) <= set(declared)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is new in Python 3.11")
def test_kit_pyproject_declares_the_same_dependencies_and_pytest_runs_the_stub(release_dir):
    kit_project = tomllib.loads((release_dir / "student" / "pyproject.toml").read_text())
    requirements = (release_dir / "student" / "requirements.txt").read_text().split()
    assert kit_project["project"]["dependencies"] == requirements
    assert kit_project["tool"]["pytest"]["ini_options"]["testpaths"] == [SUBMISSION_FILE]


def test_student_zip_holds_exactly_the_kit_in_one_folder(release_dir):
    names = zipfile.ZipFile(release_dir / "student.zip").namelist()
    assert sorted(names) == [f"{STUDENT_ZIP_FOLDER}/{f}" for f in kit_files(release_dir / "student")]


def test_zips_are_reproducible(release_dir, tmp_path):
    first = write_zip(release_dir / "student", tmp_path / "a.zip", prefix=STUDENT_ZIP_FOLDER)
    second = write_zip(release_dir / "student", tmp_path / "b.zip", prefix=STUDENT_ZIP_FOLDER)
    assert first.read_bytes() == second.read_bytes() == (release_dir / "student.zip").read_bytes()


# -- which modules ship -------------------------------------------------------------------------

def make_package(root: Path, modules: dict[str, str]) -> Path:
    """A throwaway ``grader`` package: {"cli": "source"} -> root/grader/cli.py."""
    for name, source in {"__init__": "", **modules}.items():
        path = root / "grader" / (name.replace(".", "/") + ".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return root


def test_closure_follows_imports_but_not_into_lazily_imported_instructor_commands(tmp_path):
    root = make_package(tmp_path, {
        "cli": "import json\nfrom grader import values\n\ndef main():\n    from grader.commands import grade\n",
        "values": "import numpy as np\n",
        "commands/__init__": "",
        "commands/grade": "import tabulate\n",
    })
    found = closure(root, entries=("grader.cli",))
    assert set(found.modules) == {"grader", "grader.cli", "grader.values", "grader.commands"}
    assert found.third_party == {"numpy"}  # json is the standard library; tabulate is grade's only


def test_closure_refuses_a_shipped_module_that_needs_a_hidden_one_at_import(tmp_path):
    root = make_package(tmp_path, {"cli": "from grader.checks import hidden\n", "checks/__init__": "",
                                   "checks/hidden": ""})
    with pytest.raises(ShippedModuleError, match="grader.checks.hidden"):
        closure(root, entries=("grader.cli",))


def test_kit_refuses_a_module_that_imports_a_package_students_do_not_install(tmp_path):
    root = make_package(tmp_path / "repo", {"cli": "import tabulate\n"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(student_kit, "closure", lambda root: closure(root, entries=("grader.cli",)))
        with pytest.raises(student_kit.KitError, match="tabulate"):
            student_kit.copy_grader(tmp_path / "kit", root)


# -- the kit in a fresh virtual environment -----------------------------------------------------

def junit_cases(report: Path) -> list[ElementTree.Element]:
    return list(ElementTree.parse(report).getroot().iter("testcase"))


def test_bare_pytest_fails_once_per_unimplemented_function_on_the_stub(kit, student_venv):
    done = run(["pytest", "--junitxml=report.xml"], cwd=kit, env=venv_env(student_venv))
    assert done.returncode == 1, done.stdout[-3000:]
    cases = junit_cases(kit / "report.xml")
    stub_items = [f"{f}: not implemented yet" for f in TODO_FUNCTIONS] + [
        c.name for c in PUBLIC_CHECKS if c.function == TRAINING]
    assert [c.get("name") for c in cases] == stub_items
    failures = [c.find("failure") for c in cases]
    assert all(f is not None and "not implemented" in (f.text or f.get("message", "")) for f in failures)
    assert not [c for c in cases if c.find("error") is not None]
    assert f"{len(stub_items)} failed" in done.stdout


def test_bare_pytest_passes_once_the_reference_is_copied_in(kit, student_venv):
    shutil.copyfile(EXAMPLES / "reference.py", kit / SUBMISSION_FILE)
    done = run(["pytest", "--junitxml=report.xml"], cwd=kit, env=venv_env(student_venv))
    assert done.returncode == 0, done.stdout[-3000:]
    cases = junit_cases(kit / "report.xml")
    assert len(cases) == len(PUBLIC_CHECKS)
    assert not [c for c in cases if c.find("failure") is not None or c.find("error") is not None]


def test_check_without_a_path_finds_the_kit_s_file_and_offers_only_student_commands(kit, student_venv):
    done = run(["python", "-m", "grader", "check"], cwd=kit, env=venv_env(student_venv))
    assert done.returncode == 1
    assert str(kit / SUBMISSION_FILE) in done.stdout and "Points: 0/" in done.stdout
    usage = run(["python", "-m", "grader", "--help"], cwd=kit, env=venv_env(student_venv)).stdout
    offered = set(re.findall(r"^    (\w+) ", usage, re.MULTILINE))
    assert offered == {"check", "train"}


def test_train_runs_in_the_kit_and_saves_three_plots(kit, student_venv):
    shutil.copyfile(EXAMPLES / "reference.py", kit / SUBMISSION_FILE)
    done = run(["python", "-m", "grader", "train", "--plots", "plots"], cwd=kit, env=venv_env(student_venv))
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(r"test accuracy:\s+0\.98", done.stdout), done.stdout
    assert len(list((kit / "plots").glob("*.png"))) == 3


def kit_python(kit: Path, *args: str) -> subprocess.CompletedProcess:
    """``python -m grader ARGS`` in the kit with this Python (its packages, none of the index): the
    kit's own grader/ is imported, not the repository's."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(kit)}
    return run([sys.executable, "-m", "grader", *args], cwd=kit, env=env)


def test_kit_help_offers_no_instructor_option(kit):
    usage = kit_python(kit, "check", "--help")
    assert usage.returncode == 0, usage.stderr
    assert "--hidden" not in usage.stdout and "--json" in usage.stdout
    refused = kit_python(kit, "check", "--hidden")
    assert refused.returncode == 2 and "check --hidden is for instructors" in refused.stderr


def test_train_in_the_kit_names_a_changed_given_function_without_the_reference(kit):
    assert not (kit / "solutions").exists()
    source = (EXAMPLES / "reference.py").read_text(encoding="utf-8")
    (kit / SUBMISSION_FILE).write_text(source.replace("(A2 > 0.5)", "(A2 < 0.5)"), encoding="utf-8")
    done = kit_python(kit, "train", "--plots", "plots")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "warning: the given predict is not the handout's" in done.stderr
    assert "likely cause is your change to the given predict" in done.stdout


# -- the CI workflow ----------------------------------------------------------------------------

def workflow_steps(kit: Path) -> tuple[dict, list[dict]]:
    workflow = yaml.safe_load((kit / ".github" / "workflows" / "autograde.yml").read_text())
    jobs = list(workflow["jobs"].values())
    assert len(jobs) == 1
    return workflow, jobs[0]["steps"]


def run_workflow(kit: Path, bin_dir: Path, summary: Path) -> int:
    """Run the workflow's ``run:`` steps as GitHub does (bash -eo pipefail), stopping at a failure."""
    _, steps = workflow_steps(kit)
    for step in steps:
        if "run" in step:
            done = run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=kit,
                       env=venv_env(bin_dir, GITHUB_STEP_SUMMARY=str(summary)))
            if done.returncode != 0:
                return done.returncode
    return 0


def summary_rows(summary: Path) -> dict[str, str]:
    """function -> "earned/possible" from the Markdown table."""
    rows = re.findall(r"^\| \S* \| (\w+) \| (\d+(?:\.\d+)?/\d+(?:\.\d+)?) \|", summary.read_text(), re.MULTILINE)
    return dict(rows)


def test_workflow_runs_on_every_push_and_uses_only_known_actions(kit):
    workflow, steps = workflow_steps(kit)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers
    assert [s["uses"].split("@")[0] for s in steps if "uses" in s] == ["actions/checkout", "actions/setup-python"]


def test_workflow_fails_on_the_stub_and_writes_zero_points_per_function(kit, student_venv, tmp_path):
    summary = tmp_path / "summary.md"
    assert run_workflow(kit, student_venv, summary) == 1
    rows = summary_rows(summary)
    assert list(rows) == list(SCORED)
    assert all(points.startswith("0/") for points in rows.values())


def test_workflow_passes_on_the_reference_with_full_points(kit, student_venv, tmp_path):
    shutil.copyfile(EXAMPLES / "reference.py", kit / SUBMISSION_FILE)
    summary = tmp_path / "summary.md"
    assert run_workflow(kit, student_venv, summary) == 0
    full = {f: f"{sum(c.points for c in PUBLIC_CHECKS if c.function == f):g}" for f in SCORED}
    assert summary_rows(summary) == {f: f"{full[f]}/{full[f]}" for f in SCORED}
