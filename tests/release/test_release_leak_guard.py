"""The leak guard finds nothing in the real release, and finds every kind of leak put into a copy."""
from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from grader import values
from grader.commands import release
from grader.commands.release import freshness, leak_guard, student_kit
from grader.contract import SUBMISSION_FILE
from grader.reference import course_secret, load_mistakes
from tests.release.release_support import REPO_ROOT

SHIPPED = set(student_kit.SHIPPED_FIXTURES)
SOLUTION = REPO_ROOT / "solutions" / SUBMISSION_FILE


def solution_block_lines() -> list[str]:
    """The lines between # BEGIN SOLUTION and # END SOLUTION, read straight from the file."""
    lines, inside = [], False
    for line in SOLUTION.read_text().splitlines():
        if line.strip() in ("# BEGIN SOLUTION", "# END SOLUTION"):
            inside = line.strip() == "# BEGIN SOLUTION"
        elif inside:
            lines.append(line)
    return lines


@pytest.fixture
def release_copy(release_dir, tmp_path) -> Path:
    """A copy of the student release (folder and zip) to put leaks into."""
    copy = tmp_path / "rel"
    shutil.copytree(release_dir / "student", copy / "student")
    shutil.copyfile(release_dir / "student.zip", copy / "student.zip")
    return copy


def leaks_in(release: Path) -> list[leak_guard.Leak]:
    return leak_guard.find_leaks([release / "student", release / "student.zip"], release, SHIPPED)


def test_the_real_release_is_clean(release_dir):
    assert leaks_in(release_dir) == []


def test_the_guard_knows_every_solution_block_line_worth_keeping_secret():
    secrets = leak_guard.collect_secrets(REPO_ROOT, SHIPPED)
    guarded = {s.tokens for s in secrets.items}
    backward = next(line for line in solution_block_lines() if "keepdims" in line)
    assert leak_guard.normalize(backward.split("#")[0]) in guarded
    assert len([s for s in secrets.items if s.origin.startswith("solution line")]) >= 25


def test_a_copied_solution_line_is_caught_whatever_its_indentation_and_comment(release_copy):
    line = next(line for line in solution_block_lines() if "keepdims" in line)
    with (release_copy / "student" / "docs" / "handout.en.md").open("a") as handout:
        handout.write(f"\n```python\n{line.strip().split('#')[0]}   # my own comment\n```\n")
    leaks = leaks_in(release_copy)
    assert {leak.file for leak in leaks} == {"student/docs/handout.en.md"}
    assert any(leak.secret.origin.startswith("solution line") and "keepdims" in leak.secret.text for leak in leaks)


def test_a_reformatted_multi_line_copy_is_caught(release_copy):
    with (release_copy / "student" / SUBMISSION_FILE).open("a") as stub:
        stub.write("\n    log_probs = Y*np.log(A2) \\\n        + (1-Y)*np.log(1-A2)\n")
    assert any(leak.secret.text.startswith("log_probs =") for leak in leaks_in(release_copy))


def test_a_leak_inside_student_zip_only_is_caught(release_copy):
    line = next(line for line in solution_block_lines() if "@" in line)
    with zipfile.ZipFile(release_copy / "student.zip", "a") as archive:
        archive.writestr(f"{release.STUDENT_ZIP_FOLDER}/notes.txt", line)
    member = f"student.zip!{release.STUDENT_ZIP_FOLDER}/notes.txt"
    files = {leak.file for leak in leaks_in(release_copy)}
    assert member in files and files <= {member, "student.zip"}  # an uncompressed entry shows in the raw zip too


def test_a_copied_hidden_py_is_caught(release_copy):
    shutil.copyfile(REPO_ROOT / "grader" / "checks" / "hidden.py",
                    release_copy / "student" / "grader" / "checks" / "hidden.py")
    leaks = leaks_in(release_copy)
    assert {leak.file for leak in leaks} == {"student/grader/checks/hidden.py"}
    assert any(leak.secret.origin.startswith("hidden.py line") for leak in leaks)


def test_a_copied_mistakes_file_is_caught_but_its_hints_alone_are_not(release_copy):
    shutil.copyfile(REPO_ROOT / "solutions" / "mistakes.py", release_copy / "student" / "mistakes.py")
    assert any(leak.file == "student/mistakes.py" for leak in leaks_in(release_copy))
    (release_copy / "student" / "mistakes.py").unlink()
    hints = [m.hint for m in load_mistakes(SOLUTION)]
    (release_copy / "student" / "hints.md").write_text("\n".join(hints))
    assert leaks_in(release_copy) == []


def test_the_course_s_grading_secret_in_any_file_is_caught(release_copy):
    (release_copy / "student" / "notes.txt").write_bytes(b"secret: " + course_secret() + b"\n")
    assert {leak.secret.origin for leak in leaks_in(release_copy)} == {"the course's grading secret"}


def test_a_hidden_check_name_or_probe_key_in_any_file_is_caught(release_copy):
    (release_copy / "student" / "notes.md").write_text(
        "- training: parameters after training equal the reference on moons, 8 hidden units (300 samples, 15 epochs)\n"
        "- compute_cost/large\n")
    origins = {leak.secret.origin for leak in leaks_in(release_copy)}
    assert origins == {"hidden check name", "hidden probe key"}


def test_an_unshipped_data_set_is_caught_as_a_file_and_as_an_array_inside_another_file(release_copy, tmp_path):
    """A data fixture the kit leaves out (none is left today: hidden runs draw their data at grading time)
    must not ship, copied or with its arrays renamed into another file."""
    fixtures = tmp_path / "fixtures"
    (fixtures / "data").mkdir(parents=True)
    hidden = np.random.default_rng(7).normal(size=(200, 2))
    np.savez(fixtures / "data" / "moons_hidden.npz", X_test=hidden)
    secrets = leak_guard.Secrets()
    leak_guard.unshipped_fixture_secrets(secrets, fixtures, set())
    data = release_copy / "student" / "grader" / "fixtures" / "data"
    shutil.copyfile(fixtures / "data" / "moons_hidden.npz", data / "copied.npz")
    np.savez_compressed(data / "renamed.npz", anything=hidden)
    found = leak_guard.scan(leak_guard.release_files([release_copy / "student"], release_copy), secrets)
    leaks = [leak for leak in found
             if "moons_hidden" in leak.secret.origin]  # (this bare Secrets knows no public probe keys)
    assert {leak.file.rsplit("!", 1)[0] for leak in leaks} == {"student/grader/fixtures/data/copied.npz",
                                                                "student/grader/fixtures/data/renamed.npz"}
    assert any("moons_hidden.npz array" in leak.secret.origin for leak in leaks)


def test_a_public_fixture_recording_a_hidden_probe_is_caught(release_copy):
    fixture = release_copy / "student" / "grader" / "fixtures" / "public_expected.bin"
    record = values.load(fixture)
    record["secret/probe"] = {"value": np.arange(3.0), "mistakes": {}}
    values.save(fixture, record)
    leaks = leaks_in(release_copy)
    assert [(leak.secret.origin, leak.secret.text) for leak in leaks
            if leak.file.endswith("grader/fixtures/public_expected.bin")] == [
        ("a record beyond the public checks", "secret/probe")]


def test_matching_respects_token_boundaries_and_skips_trivial_lines():
    secret = leak_guard.normalize("m = X.shape[0]")
    assert not leak_guard._contains(leak_guard.normalize("num = X.shape[0]"), secret)
    assert leak_guard._contains(leak_guard.normalize("    m=X.shape[ 0 ]  # samples"), secret)
    secrets = leak_guard.Secrets()
    secrets.add_line("test", "return parameters")
    secrets.add_line("test", "dZ2 = A2 - Y")
    assert [s.text for s in secrets.items] == ["dZ2 = A2 - Y"]


# -- release refuses ----------------------------------------------------------------------------

@pytest.mark.slow
def test_release_refuses_a_leaky_kit_and_removes_student_zip(tmp_path, monkeypatch, capsys):
    write_texts = student_kit.write_texts
    line = next(line for line in solution_block_lines() if "@" in line)

    def leaky_write_texts(kit: Path, root: Path) -> None:
        write_texts(kit, root)
        with (kit / "README.md").open("a") as readme:
            readme.write(f"\nHint: `{line.strip()}`\n")

    monkeypatch.setattr(student_kit, "write_texts", leaky_write_texts)
    assert release.main(tmp_path / "rel", skip_otter=True) == 1
    err = capsys.readouterr().err
    assert "leak: student/README.md" in err and "release refused" in err
    assert not (tmp_path / "rel" / "student.zip").exists()
    assert not (tmp_path / "rel" / "gradescope").exists()


@pytest.fixture
def repo_copy(tmp_path) -> Path:
    """The parts of the repository that release checks for freshness."""
    root = tmp_path / "repo"
    for folder in ("solutions", "student", "examples", "docs", "grader/fixtures"):
        shutil.copytree(REPO_ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_fresh_sources_are_not_reported(repo_copy):
    assert freshness.stale_sources(repo_copy) == []


def test_release_refuses_a_stale_stub_or_stale_fixtures(repo_copy, tmp_path, capsys):
    with (repo_copy / "student" / SUBMISSION_FILE).open("a") as stub:
        stub.write("# edited by hand\n")
    manifest = repo_copy / "grader" / "fixtures" / "manifest.json"
    manifest.write_text(json.dumps({"hidden_checks": 1, "hidden_points": 1}))
    assert release.main(tmp_path / "rel", skip_otter=True, root=repo_copy) == 1
    err = capsys.readouterr().err
    assert f"student/{SUBMISSION_FILE} is stale: run `backprop-lab assign`" in err
    assert "grader/fixtures/manifest.json is stale: run `backprop-lab fixtures`" in err
    assert not (tmp_path / "rel").exists()
