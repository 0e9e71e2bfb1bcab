"""Find the submissions to grade in the paths an instructor gives.

A PATH may be
- a ``.py`` file: one submission named after the file's stem;
- a folder holding ``two_layer_net.py``: one submission named after the folder;
- a folder of ``.py`` files and/or per-student folders that each hold
  ``two_layer_net.py``: one submission per file (stem) or folder (folder name);
- a ``.zip`` of any of these, extracted safely into a scratch folder first
  (a zip that wraps everything in one top folder is looked into).

Hidden names (``.git``, ``.DS_Store``) and dunder names (``__pycache__``,
``__MACOSX``, ``__init__.py``) are skipped. Two submissions with the same name
are an error before anything runs, because their results would overwrite each other.
"""
from __future__ import annotations

import hashlib
import stat
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.contract import SUBMISSION_FILE

MAX_ZIP_BYTES = 200 * 1024 * 1024  # total uncompressed size of one zip: far above any class's code
MAX_ZIP_MEMBERS = 20_000


class CollectError(ValueError):
    """The paths cannot be graded as given; the message is one line for the instructor."""


@dataclass(frozen=True)
class Submission:
    """name    what the results are filed under (file stem or folder name)
    path    the Python file to grade
    origin  where it came from, for messages ("class.zip:alice/two_layer_net.py")
    """

    name: str
    path: Path
    origin: str

    def sha256(self) -> str:
        """Fingerprint of the file's bytes: a changed file is graded again on a re-run."""
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


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
        raise CollectError("no submissions found in " + ", ".join(str(p) for p in paths)
                           + f" (expected .py files, or folders holding {SUBMISSION_FILE})")
    _refuse_name_clashes(found.submissions)
    found.submissions.sort(key=lambda s: s.name)
    return found


def _collect_path(path: Path, scratch: Path, found: Collection) -> None:
    if not path.exists():
        raise CollectError(f"{path}: no such file or folder")
    if path.is_dir():
        _collect_folder(path, found, describe=str)
    elif path.suffix == ".py":
        found.submissions.append(Submission(path.stem, path, str(path)))
    elif path.suffix == ".zip":
        root = scratch / path.stem  # a zip holding two_layer_net.py at its top is named after the zip
        extract_zip(path, root)
        _collect_folder(root, found, describe=lambda inner: f"{path}:{inner.relative_to(root).as_posix()}")
    else:
        raise CollectError(f"{path}: not a .py file, a folder or a .zip")


def _collect_folder(folder: Path, found: Collection, describe: Callable[[Path], str]) -> None:
    """Add the submissions in ``folder``; ``describe`` names a path inside it for messages."""
    if (folder / SUBMISSION_FILE).is_file():
        found.submissions.append(Submission(folder.name, folder / SUBMISSION_FILE, describe(folder / SUBMISSION_FILE)))
        return
    entries = sorted(p for p in folder.iterdir() if not _skipped(p.name))
    files = [p for p in entries if p.is_file() and p.suffix == ".py"]
    folders = [p for p in entries if p.is_dir()]
    students = [p for p in folders if (p / SUBMISSION_FILE).is_file()]
    if not files and not students and len(folders) == 1:  # a zip or download wrapped in one folder
        _collect_folder(folders[0], found, describe)
        return
    for file in files:
        found.submissions.append(Submission(file.stem, file, describe(file)))
    for student in students:
        found.submissions.append(Submission(student.name, student / SUBMISSION_FILE,
                                            describe(student / SUBMISSION_FILE)))
    for other in folders:
        if other not in students:
            found.notes.append(f"skipped {describe(other)}: no {SUBMISSION_FILE} in it")


def _skipped(name: str) -> bool:
    return name.startswith(".") or name.startswith("__")


def _refuse_name_clashes(submissions: list[Submission]) -> None:
    by_name: dict[str, list[str]] = defaultdict(list)
    for submission in submissions:
        by_name[submission.name].append(submission.origin)
    clashes = {name: origins for name, origins in by_name.items() if len(origins) > 1}
    if clashes:
        listing = "; ".join(f"{name}: {', '.join(origins)}" for name, origins in sorted(clashes.items()))
        raise CollectError(f"two submissions share a name (their results would overwrite each other): {listing}")


def extract_zip(archive: Path, target: Path, max_bytes: int = MAX_ZIP_BYTES) -> None:
    """Extract ``archive`` into ``target`` after checking every member.

    Refuses absolute paths, ``..`` components, links and device files, more than
    MAX_ZIP_MEMBERS members, and more than ``max_bytes`` uncompressed in total
    (zipfile never writes more than a member's declared size).
    """
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = bundle.infolist()
            _check_members(archive, members, max_bytes)
            target.mkdir(parents=True, exist_ok=True)
            for member in members:
                if not member.is_dir():
                    bundle.extract(member, target)
    except zipfile.BadZipFile as error:
        raise CollectError(f"{archive}: not a readable zip file ({error})") from None


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
