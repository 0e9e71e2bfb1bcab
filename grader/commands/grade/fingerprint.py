"""The grader's fingerprint: a hash of everything that can change a score or a message.

A results file records it beside the graded file's SHA-256 (``extra_data.backprop_lab``), and a
re-run with the same ``--out`` grades again every submission whose recorded fingerprint differs
from this run's (``regrade.py``). It is made of named parts, so that a re-run can say *what*
changed ("the grader changed (checks, fixtures)"):

    checks         grader/checks/**: the probes, the judges, the mistake diagnosis, the cases
    grading code   the runner, the reference's loader, numerics, plain data, results, the contract,
                   how a submission's code is read, and grade's worker (statuses, cut messages,
                   the digests of wrong outputs)
    bridge         grader/bridge/**: how student code is called and what comes back from it
    reference      solutions/two_layer_net.py and solutions/mistakes.py
    fixtures       grader/fixtures/**: the moons data and the recorded public observations
    messages       the compiled catalogues (.mo), i18n, statuses in words, the feedback's formats
                   (Markdown, results.json, the HTML pages and their pictures)
    kit version    grader.__version__
    language       the language of the run (--lang, else BACKPROP_LAB_LANG, ...)
    questions      the course's grading draw: a hash of the draw's key (itself an HMAC of the
                   secret); neither the secret nor the key is ever written
    options        the grade options that change results: --public-only, --timeout, the sandbox mode

Files are hashed by their bytes, read afresh on every run (a few hundred kilobytes: milliseconds);
nothing is cached between runs, so an edit is always seen. A file's path (relative to its root)
is hashed with its bytes: a file added, removed or renamed changes its part.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import grader
from grader import i18n
from grader.checks import Draw
from grader.contract import PACKAGE_DIR, REFERENCE_FILE

# part -> (root, glob patterns under it); the order is the order parts are named in messages
FILE_PARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "checks": ("grader", ("checks/**/*.py",)),
    "grading code": ("grader", ("runner.py", "reference.py", "numerics.py", "values.py", "results.py",
                                "contract.py", "markers.py", "submission.py", "files.py",
                                "commands/grade/worker.py", "commands/grade/wrong_outputs.py")),
    "bridge": ("grader", ("bridge/**/*.py",)),
    "reference": ("solutions", ("two_layer_net.py", "mistakes.py")),
    "fixtures": ("grader", ("fixtures/**/*",)),
    "messages": ("grader", ("locale/**/*.mo", "i18n.py", "status.py", "text.py",
                            "formats/markdown.py", "formats/gradescope.py", "formats/html.py",
                            "formats/network_plots.py", "formats/templates/**", "commands/grade/pages.py",
                            "commands/grade/network.py")),
}
PARTS = (*FILE_PARTS, "kit version", "language", "questions", "options")


@dataclass(frozen=True)
class Fingerprint:
    """parts   part name -> hex SHA-256 of that part
    sha256  one hash of all the parts (what is compared first)
    """

    parts: dict[str, str]

    @property
    def sha256(self) -> str:
        return _digest(f"{name}={value}\n".encode() for name, value in sorted(self.parts.items()))

    def changed(self, recorded: dict[str, str]) -> list[str]:
        """The parts whose hash differs from ``recorded`` (a results file's), in PARTS order; a part
        missing on either side counts as changed."""
        names = [*PARTS, *sorted((set(self.parts) | set(recorded)) - set(PARTS))]
        return [name for name in names if (name in self.parts or name in recorded)
                and self.parts.get(name) != recorded.get(name)]

    def to_json(self) -> dict:
        return {"sha256": self.sha256, "parts": dict(self.parts)}


def roots() -> dict[str, Path]:
    """Where the parts' files are: this copy of the kit's package and its solutions/ folder."""
    return {"grader": PACKAGE_DIR, "solutions": REFERENCE_FILE.parent}


def of_run(draw: Draw, public_only: bool, call_timeout: float, sandbox: str,
           language: str | None = None, where: dict[str, Path] | None = None) -> Fingerprint:
    """The fingerprint of a grading run with these settings (``language``: the one in use by default)."""
    where = where or roots()
    parts = {name: files_hash(where[root], patterns) for name, (root, patterns) in FILE_PARTS.items()}
    parts["kit version"] = _digest([grader.__version__.encode()])
    parts["language"] = _digest([(language or i18n.current()).encode()])
    parts["questions"] = _digest([b"backprop-lab draw fingerprint\n", draw.name.encode(), b"\n", draw.key or b""])
    options = f"public_only={public_only}\ncall_timeout={float(call_timeout)!r}\nsandbox={sandbox}\n"
    parts["options"] = _digest([options.encode()])
    return Fingerprint(parts)


def files_hash(root: Path, patterns: Iterable[str]) -> str:
    """One hash of the files under ``root`` matching ``patterns``: each one's relative path and bytes.
    Compiled bytecode and editor droppings never count; a pattern that matches nothing counts as such."""
    files = sorted({path for pattern in patterns for path in root.glob(pattern)
                    if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"})
    digest = hashlib.sha256()
    for path in files:
        relative = path.relative_to(root).as_posix().encode()
        content = path.read_bytes()
        digest.update(b"%d:%s%d:" % (len(relative), relative, len(content)))
        digest.update(content)
    return digest.hexdigest()


def _digest(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()
