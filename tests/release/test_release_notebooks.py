"""The lab notebooks ship in the student kit, and the leak guard reads a notebook's cells, outputs and
metadata: a hidden check's name or a solution line anywhere in one is refused."""
from __future__ import annotations

import zipfile

import nbformat
import pytest

from grader.checks import catalogue
from grader.commands import release
from grader.commands.release import leak_guard, student_kit
from tests.release.release_support import REPO_ROOT

NOTEBOOKS = ("lab.zh.ipynb", "lab.en.ipynb")


@pytest.fixture(scope="module")
def secrets() -> leak_guard.Secrets:
    return leak_guard.collect_secrets(REPO_ROOT, set(student_kit.SHIPPED_FIXTURES))


def solution_line_with_quotes() -> str:
    """A line of a solution block with string quotes in it (JSON escapes them in a notebook file)."""
    lines, inside = [], False
    for line in (REPO_ROOT / "solutions" / "two_layer_net.py").read_text(encoding="utf-8").splitlines():
        if line.strip() in ("# BEGIN SOLUTION", "# END SOLUTION"):
            inside = line.strip() == "# BEGIN SOLUTION"
        elif inside and '"' in line and len(line.split()) >= 5:
            lines.append(line.strip())
    return lines[0]


def hidden_check_name() -> str:
    return next(c.name for c in catalogue(include_hidden=True) if c.hidden)


def shipped_notebook() -> nbformat.NotebookNode:
    return nbformat.read(REPO_ROOT / "student" / "lab.zh.ipynb", as_version=4)


def leaks(notebook: nbformat.NotebookNode, secrets: leak_guard.Secrets) -> list[leak_guard.Leak]:
    return leak_guard.scan(iter([("student/lab.zh.ipynb", nbformat.writes(notebook).encode())]), secrets)


def test_the_generated_notebooks_are_clean(secrets):
    for name in NOTEBOOKS:
        assert leak_guard.scan(iter([(name, (REPO_ROOT / "student" / name).read_bytes())]), secrets) == []


def test_a_solution_line_in_a_cell_output_is_caught_through_json_s_escapes(secrets):
    line = solution_line_with_quotes()
    notebook = shipped_notebook()
    notebook.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=line + "\n")]
    assert '\\"' in nbformat.writes(notebook)  # the raw file has the quotes escaped
    assert [leak.secret.text for leak in leaks(notebook, secrets)] == [line]


def test_a_solution_line_in_the_metadata_is_caught(secrets):
    notebook = shipped_notebook()
    notebook.metadata["widgets"] = {"state": {"note": solution_line_with_quotes()}}
    assert leaks(notebook, secrets)


def test_a_hidden_check_s_name_in_an_output_is_caught(secrets):
    name = hidden_check_name()
    notebook = shipped_notebook()
    notebook.cells[-1].outputs = [nbformat.v4.new_output("display_data", data={"text/plain": f"PASS  {name}"})]
    assert name in [leak.secret.text for leak in leaks(notebook, secrets)]


def test_a_solution_line_in_a_code_cell_is_caught(secrets):
    notebook = shipped_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(solution_line_with_quotes()))
    assert leaks(notebook, secrets)


def test_the_kit_ships_both_notebooks_as_assign_writes_them(release_dir):
    with zipfile.ZipFile(release_dir / "student.zip") as archive:
        for name in NOTEBOOKS:
            shipped = (release_dir / "student" / name).read_text(encoding="utf-8")
            assert shipped == (REPO_ROOT / "student" / name).read_text(encoding="utf-8")
            assert archive.read(f"{release.STUDENT_ZIP_FOLDER}/{name}").decode() == shipped


def test_release_refuses_a_kit_whose_notebook_leaks(tmp_path, monkeypatch):
    """The whole release path: a notebook with a hidden check's name in its output is refused."""
    real = student_kit.write_texts

    def leaky(kit, root):
        real(kit, root)
        notebook = nbformat.read(kit / "lab.en.ipynb", as_version=4)
        notebook.cells[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=hidden_check_name())]
        nbformat.write(notebook, kit / "lab.en.ipynb")

    monkeypatch.setattr(student_kit, "write_texts", leaky)
    leaks_found = release.build_student(tmp_path / "rel")
    assert any(leak.file == "student/lab.en.ipynb" for leak in leaks_found)
