"""Find the submissions to grade in the paths an instructor gives.

A PATH may be
- a ``.py`` file or a Jupyter notebook (``.ipynb``): one submission named after the file's stem;
- a folder holding ``two_layer_net.py``: one submission named after the folder;
- a folder of ``.py`` files, notebooks and/or per-student folders that each hold
  ``two_layer_net.py`` or a notebook: one submission per file (stem) or folder (folder name);
- a ``.zip`` of any of these, extracted safely into a scratch folder first
  (a zip that wraps everything in one top folder is looked into).

One student with several files (a student folder holding ``two_layer_net.py`` and a notebook, or
``alice.py`` next to ``alice.ipynb``) is one submission: the file in which more of the functions to
write are written is graded (on a tie the ``.py``), and a note says which (``grader.submission.choose``).

Hidden names (``.git``, ``.DS_Store``) and dunder names (``__pycache__``,
``__MACOSX``, ``__init__.py``) are skipped. Two submissions with the same name
are an error before anything runs, because their results would overwrite each other.

Links are never followed below the PATHs given: a submission that is a symbolic link
(say to ``solutions/two_layer_net.py``), a student folder that is a link, or anything else
that is not a regular file where a submission is expected is collected *refused*
(``Submission.refusal`` says why): it gets a row with 0 points and the run goes on.
A PATH itself may be a link to a folder (the instructor chose it); a PATH that is a link
to a ``.py`` file is refused like any other link.

Names are kept exactly as the file system gives them (``os.fsdecode``: bytes that are not
UTF-8 survive as surrogate escapes); ``printable`` turns one into text safe to print.
"""
from __future__ import annotations

import errno
import hashlib
import os
import stat
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.contract import SUBMISSION_FILE
from grader.files import kind, refusal
from grader.i18n import _
from grader.submission import NOTEBOOK_SUFFIX, choose
from grader.text import printable

MAX_ZIP_BYTES = 200 * 1024 * 1024  # total uncompressed size of one zip: far above any class's code
MAX_ZIP_MEMBERS = 20_000


class CollectError(ValueError):
    """The paths cannot be graded as given; the message is one line for the instructor."""


@dataclass(frozen=True)
class Submission:
    """name     what the results are filed under (file stem or folder name)
    path     the Python file to grade
    origin   where it came from, for messages ("class.zip:alice/two_layer_net.py")
    refusal  why it is not graded at all (a link, not a regular file); empty when it is graded
    """

    name: str
    path: Path
    origin: str
    refusal: str = ""

    def sha256(self) -> str:
        """Fingerprint of the file's bytes: a changed file is graded again on a re-run.

        The file is opened without following a link; raises OSError (ELOOP for a link).
        """
        digest = hashlib.sha256()
        fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OSError(errno.EINVAL, "not a regular file", str(self.path))
        with os.fdopen(fd, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()


@dataclass
class Collection:
    submissions: list[Submission] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # things skipped that an instructor may want to know


def collect(paths: list[Path], scratch: Path) -> Collection:
    """All submissions under ``paths``, sorted by name. Zips are extracted under ``scratch``.

    Raises CollectError for a missing or unusable path, an empty input, or clashing names.
    """
    found = Collection()
    for index, path in enumerate(paths):
        _collect_path(Path(path), scratch / f"zip{index}", found)
    if not found.submissions:
        raise CollectError(_("no submissions found in {paths} (expected .py files or notebooks, or folders "
                             "holding {file} or a notebook)", paths=", ".join(map(str, paths)), file=SUBMISSION_FILE))
    _refuse_name_clashes(found.submissions)
    found.submissions.sort(key=lambda s: s.name)
    return found


def _collect_path(path: Path, scratch: Path, found: Collection) -> None:
    if not os.path.lexists(path):
        raise CollectError(_("{path}: no such file or folder", path=printable(str(path))))
    if path.is_dir():  # a link to a folder is followed here only: the instructor named it
        _collect_folder(path, found, describe=str)
    elif path.suffix in GRADED_SUFFIXES:
        found.submissions.append(_file_submission(path.stem, path, str(path)))
    elif path.suffix == ".zip":
        root = scratch / path.stem  # a zip holding two_layer_net.py at its top is named after the zip
        extract_zip(path, root, notes=found.notes)
        _collect_folder(root, found, describe=lambda inner: f"{path}:{inner.relative_to(root).as_posix()}")
    else:
        raise CollectError(_("{path}: not a .py file, a notebook, a folder or a .zip", path=printable(str(path))))


def _collect_folder(folder: Path, found: Collection, describe: Callable[[Path], str]) -> None:
    """Add the submissions in ``folder``; ``describe`` names a path inside it for messages.

    Nothing below ``folder`` is followed if it is a link: ``grader.files.kind`` looks with lstat.
    """
    own = folder / SUBMISSION_FILE
    if kind(own) not in (None, "folder"):
        _student_submission(folder.name, [own] + _notebooks(folder), found, describe)
        return
    try:
        entries = sorted(Path(entry.path) for entry in os.scandir(folder) if not _skipped(entry.name))
    except OSError as error:
        found.notes.append(f"skipped {describe(folder)}: cannot be listed ({error.strerror})")
        return
    kinds = {p: kind(p) for p in entries}
    files = [p for p in entries if p.suffix in GRADED_SUFFIXES and kinds[p] != "folder"]  # links and oddities too
    folders = [p for p in entries if kinds[p] == "folder"]
    students = {p: _student_files(p) for p in folders}
    students = {p: own for p, own in students.items() if own}
    linked_folders = [p for p in entries if p.suffix not in GRADED_SUFFIXES and kinds[p] == "link"
                      and os.path.isdir(p)]
    if not files and not students and not linked_folders and len(folders) == 1:  # one wrapping folder
        _collect_folder(folders[0], found, describe)
        return
    by_stem: dict[str, list[Path]] = defaultdict(list)
    for file in files:  # alice.py next to alice.ipynb: one student's two files
        by_stem[file.stem].append(file)
    for stem, own_files in by_stem.items():
        _student_submission(stem, own_files, found, describe)
    for student, own_files in students.items():
        _student_submission(student.name, own_files, found, describe)
    for link in linked_folders:  # only looked at to say what it is; never read through
        found.submissions.append(Submission(link.name, link, describe(link),
                                            f"{printable(link.name)} is a symbolic link to a folder; "
                                            "submit the folder itself"))
    for other in folders:
        if other not in students:
            found.notes.append(f"skipped {printable(describe(other))}: no {SUBMISSION_FILE} in it")


GRADED_SUFFIXES = (".py", NOTEBOOK_SUFFIX)


def _notebooks(folder: Path) -> list[Path]:
    """The notebooks at the top of ``folder`` (links and oddities too, to be refused by name)."""
    try:
        return sorted(Path(e.path) for e in os.scandir(folder)
                      if e.name.endswith(NOTEBOOK_SUFFIX) and not _skipped(e.name) and kind(Path(e.path)) != "folder")
    except OSError:
        return []


def _student_files(folder: Path) -> list[Path]:
    """What a student's folder holds to be graded: its ``two_layer_net.py`` and its notebooks."""
    own = folder / SUBMISSION_FILE
    return ([own] if kind(own) not in (None, "folder") else []) + _notebooks(folder)


def _student_submission(name: str, files: list[Path], found: Collection, describe: Callable[[Path], str]) -> None:
    """One student's submission: the file chosen among ``files`` (a refused one is never read to choose)."""
    readable = [f for f in files if not refusal(f)]
    chosen, why = choose(readable) if readable else (files[0], "")
    if len(files) > 1:
        found.notes.append(f"{printable(name)}: {why or 'graded ' + printable(chosen.name)} "
                           f"({', '.join(printable(describe(f)) for f in files)})")
    found.submissions.append(_file_submission(name, chosen, describe(chosen)))


def _file_submission(name: str, path: Path, origin: str) -> Submission:
    """A submission file, refused unless it is a regular file (never a link)."""
    return Submission(name, path, origin, refusal(path))


def _skipped(name: str) -> bool:
    return name.startswith(".") or name.startswith("__")


def _refuse_name_clashes(submissions: list[Submission]) -> None:
    by_name: dict[str, list[str]] = defaultdict(list)
    for submission in submissions:
        by_name[submission.name].append(submission.origin)
    clashes = {name: origins for name, origins in by_name.items() if len(origins) > 1}
    if clashes:
        listing = "; ".join(f"{printable(name)}: {', '.join(map(printable, origins))}"
                            for name, origins in sorted(clashes.items()))
        raise CollectError(f"two submissions share a name (their results would overwrite each other): {listing}")


def extract_zip(archive: Path, target: Path, max_bytes: int = MAX_ZIP_BYTES,
                notes: list[str] | None = None) -> None:
    """Extract ``archive`` into ``target`` after checking every member.

    Refuses absolute paths, ``..`` components, links and device files, more than
    MAX_ZIP_MEMBERS members, and more than ``max_bytes`` uncompressed in total
    (zipfile never writes more than a member's declared size). A member that cannot be
    written here (a name too long for this file system) is left out with a note in
    ``notes``: one student's odd name must not stop the class.
    """
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = bundle.infolist()
            _check_members(archive, members, max_bytes)
            target.mkdir(parents=True, exist_ok=True)
            for member in members:
                if not member.is_dir():
                    _extract_member(bundle, member, target, archive, notes)
    except zipfile.BadZipFile as error:
        raise CollectError(f"{archive}: not a readable zip file ({error})") from None


def _extract_member(bundle: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, archive: Path,
                    notes: list[str] | None) -> None:
    try:
        bundle.extract(member, target)
    except OSError as error:
        if notes is None:
            raise CollectError(f"{archive}: cannot extract {printable(member.filename)!r} ({error.strerror})") from None
        notes.append(f"skipped {archive}:{printable(member.filename)}: cannot be extracted here ({error.strerror})")


def _check_members(archive: Path, members: list[zipfile.ZipInfo], max_bytes: int) -> None:
    if len(members) > MAX_ZIP_MEMBERS:
        raise CollectError(f"{archive}: {len(members)} members, more than the {MAX_ZIP_MEMBERS} allowed")
    total = 0
    for member in members:
        name = member.filename.replace("\\", "/")
        parts = PurePosixPath(name).parts
        if name.startswith("/") or (parts and parts[0].endswith(":")) or ".." in parts:
            raise CollectError(f"{archive}: refusing member {member.filename!r} (absolute path or '..')")
        kind = stat.S_IFMT(member.external_attr >> 16)  # 0 when the zip was not made on Unix
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise CollectError(f"{archive}: refusing member {member.filename!r} (a link or special file)")
        total += member.file_size
        if total > max_bytes:
            raise CollectError(f"{archive}: more than {max_bytes // (1024 * 1024)} MB when extracted; refusing it")
