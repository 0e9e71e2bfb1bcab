"""Which submissions `backprop-lab grade` finds in files, folders and zips, and what it refuses."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from grader.commands.grade.collect import CollectError, collect, extract_zip

CODE = "def initialize_parameters(a, b, c):\n    return {}\n"


def write(path: Path, text: str = CODE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def zip_folder(folder: Path, archive: Path, prefix: str = "") -> Path:
    """Zip every file under ``folder`` with names relative to it (under ``prefix``)."""
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                bundle.write(path, prefix + path.relative_to(folder).as_posix())
    return archive


def names(paths: list[Path], scratch: Path) -> list[str]:
    return [s.name for s in collect(paths, scratch).submissions]


@pytest.fixture
def flat_folder(tmp_path: Path) -> Path:
    """alice.py and bob.py, with clutter that is not a submission."""
    folder = tmp_path / "flat"
    write(folder / "alice.py")
    write(folder / "bob.py")
    write(folder / "notes.txt", "not python")
    write(folder / ".hidden.py")
    write(folder / "__init__.py")
    write(folder / "__pycache__" / "alice.cpython-311.py")
    return folder


@pytest.fixture
def student_folders(tmp_path: Path) -> Path:
    """carol/two_layer_net.py and dave/two_layer_net.py, plus a folder without a submission."""
    folder = tmp_path / "students"
    write(folder / "carol" / "two_layer_net.py")
    write(folder / "dave" / "two_layer_net.py")
    write(folder / "erin" / "lab.py")
    write(folder / "__MACOSX" / "carol" / "two_layer_net.py")
    return folder


def test_a_single_file_is_named_after_its_stem(tmp_path: Path) -> None:
    path = write(tmp_path / "zoe.py")
    found = collect([path], tmp_path / "scratch").submissions
    assert [(s.name, s.path) for s in found] == [("zoe", path)]


def test_a_folder_of_files_gives_one_submission_per_file_skipping_clutter(flat_folder: Path, tmp_path: Path) -> None:
    assert names([flat_folder], tmp_path / "scratch") == ["alice", "bob"]


def test_student_folders_are_named_after_the_folder(student_folders: Path, tmp_path: Path) -> None:
    found = collect([student_folders], tmp_path / "scratch")
    assert [(s.name, s.path.relative_to(student_folders).as_posix()) for s in found.submissions] == [
        ("carol", "carol/two_layer_net.py"), ("dave", "dave/two_layer_net.py")]


def test_a_student_folder_without_the_file_is_reported_not_silently_dropped(student_folders: Path,
                                                                            tmp_path: Path) -> None:
    notes = collect([student_folders], tmp_path / "scratch").notes
    assert len(notes) == 1 and "erin" in notes[0] and "two_layer_net.py" in notes[0]


def test_one_student_folder_given_directly_is_one_submission(student_folders: Path, tmp_path: Path) -> None:
    assert names([student_folders / "carol"], tmp_path / "scratch") == ["carol"]


def test_several_paths_are_combined_and_sorted(flat_folder: Path, student_folders: Path, tmp_path: Path) -> None:
    extra = write(tmp_path / "aaron.py")
    assert names([student_folders, flat_folder, extra], tmp_path / "scratch") == [
        "aaron", "alice", "bob", "carol", "dave"]


def test_a_zip_of_files(flat_folder: Path, tmp_path: Path) -> None:
    archive = zip_folder(flat_folder, tmp_path / "class.zip")
    found = collect([archive], tmp_path / "scratch").submissions
    assert [s.name for s in found] == ["alice", "bob"]
    assert all(s.path.is_relative_to(tmp_path / "scratch") and s.path.read_text() == CODE for s in found)
    assert found[0].origin == f"{archive}:alice.py"


def test_a_zip_of_student_folders_wrapped_in_one_top_folder(student_folders: Path, tmp_path: Path) -> None:
    archive = zip_folder(student_folders, tmp_path / "export.zip", prefix="section-a/")
    assert names([archive], tmp_path / "scratch") == ["carol", "dave"]


def test_a_zip_holding_just_the_file_is_named_after_the_zip(tmp_path: Path) -> None:
    archive = tmp_path / "frank.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("two_layer_net.py", CODE)
    assert names([archive], tmp_path / "scratch") == ["frank"]


@pytest.mark.parametrize("member", ["../escape.py", "/etc/escape.py", "a/../../escape.py"])
def test_a_zip_member_outside_the_target_is_refused(tmp_path: Path, member: str) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("fine.py", CODE)
        bundle.writestr(zipfile.ZipInfo(member), CODE)  # ZipInfo keeps the name as given
    with pytest.raises(CollectError, match="refusing member"):
        collect([archive], tmp_path / "scratch" / "deep")
    assert not (tmp_path / "escape.py").exists() and not (tmp_path / "scratch" / "escape.py").exists()


def test_a_zip_that_would_extract_too_much_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("big.py", "#" * 2_000_000)  # compresses to a few kB
    assert archive.stat().st_size < 100_000
    with pytest.raises(CollectError, match="MB when extracted"):
        extract_zip(archive, tmp_path / "out", max_bytes=1024 * 1024)
    assert not (tmp_path / "out" / "big.py").exists()


def test_a_zip_with_a_symlink_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "link.zip"
    link = zipfile.ZipInfo("sneaky.py")
    link.external_attr = (0o120777 << 16)  # S_IFLNK
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr(link, "/etc/passwd")
    with pytest.raises(CollectError, match="link or special file"):
        collect([archive], tmp_path / "scratch")


def test_a_corrupt_zip_is_one_clear_error(tmp_path: Path) -> None:
    archive = write(tmp_path / "broken.zip", "this is not a zip")
    with pytest.raises(CollectError, match="not a readable zip"):
        collect([archive], tmp_path / "scratch")


def test_two_submissions_with_one_name_are_an_error_naming_both(flat_folder: Path, tmp_path: Path) -> None:
    other = write(tmp_path / "elsewhere" / "alice.py")
    with pytest.raises(CollectError) as error:
        collect([flat_folder, other], tmp_path / "scratch")
    message = str(error.value)
    assert "alice" in message and str(flat_folder / "alice.py") in message and str(other) in message


def test_a_file_and_a_student_folder_of_one_name_clash(tmp_path: Path) -> None:
    write(tmp_path / "class" / "gina.py")
    write(tmp_path / "class" / "gina" / "two_layer_net.py")
    with pytest.raises(CollectError, match="gina"):
        collect([tmp_path / "class"], tmp_path / "scratch")


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CollectError, match="no such file or folder"):
        collect([tmp_path / "nope"], tmp_path / "scratch")


def test_a_folder_without_submissions_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "empty" / "readme.txt", "nothing here")
    with pytest.raises(CollectError, match="no submissions found"):
        collect([tmp_path / "empty"], tmp_path / "scratch")


def test_a_file_that_is_not_python_or_zip_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CollectError, match="not a .py file"):
        collect([write(tmp_path / "grades.csv", "a,b")], tmp_path / "scratch")


# ----------------------------------------------------------------------------- links and odd names

@pytest.fixture
def reference_elsewhere(tmp_path: Path) -> Path:
    """A stand-in for solutions/two_layer_net.py: a file outside the class a link can point to."""
    return write(tmp_path / "solutions" / "two_layer_net.py", "# the reference\n")


def by_name(paths: list[Path], scratch: Path) -> dict[str, object]:
    return {s.name: s for s in collect(paths, scratch).submissions}


def test_a_submission_that_is_a_link_is_refused_not_followed(reference_elsewhere: Path, tmp_path: Path) -> None:
    folder = tmp_path / "class"
    write(folder / "alice.py")
    (folder / "mallory.py").symlink_to(reference_elsewhere)
    found = by_name([folder], tmp_path / "scratch")
    assert found["alice"].refusal == ""
    assert found["mallory"].refusal == "mallory.py is a symbolic link; submit the file itself"
    with pytest.raises(OSError):  # not even its fingerprint reads through the link
        found["mallory"].sha256()


def test_a_two_layer_net_that_is_a_link_inside_a_student_folder_is_refused(reference_elsewhere: Path,
                                                                          tmp_path: Path) -> None:
    folder = tmp_path / "class"
    write(folder / "carol" / "two_layer_net.py")
    (folder / "mallory").mkdir(parents=True)
    (folder / "mallory" / "two_layer_net.py").symlink_to(reference_elsewhere)
    found = by_name([folder], tmp_path / "scratch")
    assert found["carol"].refusal == ""
    assert "two_layer_net.py is a symbolic link" in found["mallory"].refusal


def test_a_student_folder_that_is_a_link_is_refused_not_looked_into(reference_elsewhere: Path,
                                                                   tmp_path: Path) -> None:
    """A cloned repository whose student folder is a link to solutions/."""
    folder = tmp_path / "class"
    write(folder / "carol" / "two_layer_net.py")
    (folder / "mallory").symlink_to(reference_elsewhere.parent, target_is_directory=True)
    found = by_name([folder], tmp_path / "scratch")
    assert found["mallory"].refusal == "mallory is a symbolic link to a folder; submit the folder itself"
    assert found["mallory"].path == folder / "mallory"


def test_a_link_to_a_folder_is_not_taken_for_the_one_wrapping_folder(reference_elsewhere: Path,
                                                                     tmp_path: Path) -> None:
    folder = tmp_path / "download"
    folder.mkdir()
    (folder / "export").symlink_to(reference_elsewhere.parent, target_is_directory=True)
    assert [(s.name, bool(s.refusal)) for s in collect([folder], tmp_path / "scratch").submissions] == [
        ("export", True)]


def test_a_fifo_where_a_submission_should_be_is_refused_without_blocking(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    write(folder / "alice.py")
    os.mkfifo(folder / "pipe.py")
    refusal = by_name([folder], tmp_path / "scratch")["pipe"].refusal
    assert refusal == "pipe.py is not a regular file; submit the file itself"


def test_a_path_given_on_the_command_line_may_be_a_link_to_a_folder(tmp_path: Path) -> None:
    write(tmp_path / "real" / "alice.py")
    (tmp_path / "current").symlink_to(tmp_path / "real", target_is_directory=True)
    found = collect([tmp_path / "current"], tmp_path / "scratch").submissions
    assert [(s.name, s.refusal) for s in found] == [("alice", "")]


def test_names_that_are_not_utf8_or_very_long_are_collected_as_they_are(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    odd = os.fsdecode(b"j\xe9r\xf4me")  # Latin-1 bytes: not UTF-8
    long = "x" * 250
    write(folder / f"{odd}.py")
    write(folder / long / "two_layer_net.py")
    found = by_name([folder], tmp_path / "scratch")
    assert sorted(found) == sorted([odd, long])
    assert all(s.refusal == "" and len(s.sha256()) == 64 for s in found.values())


def test_a_zip_member_whose_name_is_too_long_here_is_left_out_with_a_note(tmp_path: Path) -> None:
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("alice.py", CODE)
        bundle.writestr("y" * 300 + ".py", CODE)
    found = collect([archive], tmp_path / "scratch")
    assert [s.name for s in found.submissions] == ["alice"]
    assert len(found.notes) == 1 and "cannot be extracted" in found.notes[0]
