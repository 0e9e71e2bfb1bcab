"""The leak guard: nothing secret may reach the student release.

Secrets, all read from the instructors' sources at release time:

- every line of every ``# BEGIN SOLUTION`` block of ``solutions/two_layer_net.py``;
- every line of ``solutions/mistakes.py`` except its hints (hints are shown to students
  by design), and each line of its find/replace code snippets;
- every line of ``grader/checks/hidden.py`` that ``grader/checks/public.py`` does not also have,
  the hidden checks' names and their probe keys;
- in every language of the catalogue: the hidden checks' names as shown, and the translation of
  each text only hidden.py wraps (the kit's catalogue leaves them out: release/catalogue.py);
- the unshipped fixture files: their bytes, the float arrays they hold (a byte fingerprint
  of each array) and the probe keys they record.

The matching rule, strict on purpose. Text is compared as *tokens* (identifiers, numbers, each
Chinese character, and single punctuation marks; ``'`` counts as ``"``; a backslash line continuation is dropped), so
indentation, spacing, line breaks and trailing comments do not hide a copy, and a match must
start and end on token boundaries (``m = X.shape[0]`` is not found inside ``num = X.shape[0]``).
A source line is a secret unless
- it has fewer than ``MIN_TOKENS`` tokens once its comment is dropped (``return parameters``,
  ``else:``, ``],``), or
- the student receives it anyway: for solution lines, the same tokens occur outside the
  solution blocks (the given ``model`` calls ``np.random.seed(42)`` too); for hidden.py lines,
  public.py has the line.
Every file of the release is scanned, the inside of zip archives (``student.zip``, ``.npz``)
included; binary files are scanned both as text (UTF-8, undecodable bytes dropped) and as bytes.
A JSON file (a notebook above all: its cells, outputs and metadata) is scanned once more as the
strings it holds, keys included, read through JSON's escapes (an escaped quote, newline or
character code would otherwise split or hide a copied line).
Besides, the shipped public fixture may record only the public checks' probes.
"""
from __future__ import annotations

import ast
import hashlib
import io
import json
import re
import tokenize
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader import i18n, values
from grader.checks import catalogue
from grader.checks.base import Check
from grader.commands.release.catalogue import translations, wrapped_texts
from grader.contract import REPO_ROOT, SUBMISSION_FILE
from grader.markers import BEGIN, END
from grader.reference import ReferenceUnavailable, course_secret

MIN_TOKENS = 5  # "dZ2 = A2 - Y" is 5 tokens and a secret; "return A2, cache" is 4 and is not
FINGERPRINT_ELEMENTS = 8  # the first 8 float64 values (64 bytes) identify an array
# A Chinese character is a token of its own (Chinese has no spaces): a hidden message's translation
# is then as long in tokens as it is in characters, and MIN_TOKENS means the same in both languages.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+|[^\w\s]")


def normalize(text: str) -> str:
    """The tokens of ``text`` joined by single spaces (the form every comparison uses)."""
    return " ".join(_TOKEN.findall(text.replace("\\\n", " ").replace("'", '"')))


def _contains(haystack: str, needle: str) -> bool:
    """Token-boundary search in two ``normalize``d strings."""
    return f" {needle} " in f" {haystack} "


class LeakGuardError(ValueError):
    """The instructors' files cannot be read as the leak guard expects; the message says where."""


@dataclass(frozen=True)
class Secret:
    """origin: where it comes from ("solution line (solutions/two_layer_net.py:61)");
    text: the secret as written there (or a description, for byte secrets)."""

    origin: str
    text: str
    tokens: str = ""  # normalized text; empty for byte secrets
    fingerprint: bytes = b""  # raw bytes to look for; empty for text secrets


@dataclass(frozen=True)
class Leak:
    file: str  # "student/README.md", "student.zip!backprop-lab/README.md"
    secret: Secret

    def __str__(self) -> str:
        return f"{self.file}: {self.secret.origin}: {self.secret.text}"


@dataclass
class Secrets:
    items: list[Secret] = field(default_factory=list)
    public_probe_keys: set[str] = field(default_factory=set)

    def add_line(self, origin: str, line: str, public_text: str = "") -> None:
        tokens = normalize(line)
        if len(tokens.split()) >= MIN_TOKENS and not _contains(public_text, tokens):
            self.items.append(Secret(origin, line.strip(), tokens=tokens))


def _code_lines(source: str) -> dict[int, str]:
    """line number -> that line without its comment (tokenize knows where comments start)."""
    lines = source.splitlines()
    code = dict(enumerate(lines, start=1))
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            row, col = token.start
            code[row] = lines[row - 1][:col]
    return code


def split_solution(source: str) -> tuple[list[int], str]:
    """(line numbers inside solution blocks, normalized text of everything outside them)."""
    inside, outside, in_block = [], [], False
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip() in (BEGIN, END):
            in_block = line.strip() == BEGIN
        elif in_block:
            inside.append(number)
        else:
            outside.append(line)
    return inside, normalize("\n".join(outside))


def solution_secrets(secrets: Secrets, source: str, label: str) -> None:
    """Each line inside a solution block, unless the code outside the blocks has it too."""
    inside, public_text = split_solution(source)
    code = _code_lines(source)
    for number in inside:
        secrets.add_line(f"solution line ({label}:{number})", code[number], public_text)


def _argument(call: ast.Call, position: int, name: str) -> ast.expr:
    """The argument of a ``Mistake(name, function, find, replace, hint)`` call, positional or keyword."""
    if position < len(call.args):
        return call.args[position]
    found = next((keyword.value for keyword in call.keywords if keyword.arg == name), None)
    if found is None:
        raise LeakGuardError(f"solutions/mistakes.py line {call.lineno}: a Mistake without its {name}")
    return found


def mistakes_secrets(secrets: Secrets, source: str, label: str, public_solution_text: str) -> None:
    """The lines of the MISTAKES table, except those holding only a hint (hints are shown to
    students on purpose), and each line of each find/replace snippet, unless the code outside
    the solution blocks has it too."""
    table = next((node for node in ast.parse(source).body if isinstance(node, ast.Assign)
                  and any(getattr(target, "id", "") == "MISTAKES" for target in node.targets)), None)
    if table is None:
        raise LeakGuardError(f"{label} has no MISTAKES table to read")
    hint_lines: set[int] = set()
    for call in (n for n in ast.walk(table) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "Mistake"):
        hint = _argument(call, 4, "hint")
        hint_lines.update(range(hint.lineno, hint.end_lineno + 1))
        for name, position in (("find", 2), ("replace", 3)):
            for snippet_line in ast.literal_eval(_argument(call, position, name)).splitlines():
                secrets.add_line(f"mistake snippet ({label}:{call.lineno})", snippet_line, public_solution_text)
    code = _code_lines(source)
    for number in range(table.lineno, table.end_lineno + 1):
        if number in hint_lines and code[number].strip().startswith(('"', "'", 'N_("', "N_('")):
            continue
        secrets.add_line(f"mistakes line ({label}:{number})", code[number])


def _probe_keys(checks: list[Check]) -> set[str]:
    return {probe.key for c in checks for probe in (*c.probe.needs, c.reference_probe, c.probe)}


def hidden_check_secrets(secrets: Secrets, checks_dir: Path) -> None:
    """hidden.py's own lines, the hidden checks' names and probe keys (public ones excluded)."""
    public_text = (checks_dir / "public.py").read_text(encoding="utf-8")
    public_lines = {normalize(line) for line in _code_lines(public_text).values()}
    for number, line in _code_lines((checks_dir / "hidden.py").read_text(encoding="utf-8")).items():
        if normalize(line) not in public_lines:
            secrets.add_line(f"hidden.py line {number}", line)
    every = catalogue(include_hidden=True)
    public = [c for c in every if not c.hidden]
    secrets.public_probe_keys = _probe_keys(public)
    for check in every:
        if check.hidden:
            secrets.add_line("hidden check name", check.name, normalize("\n".join(c.name for c in public)))
    for key in sorted(_probe_keys([c for c in every if c.hidden]) - secrets.public_probe_keys):
        secrets.items.append(Secret("hidden probe key", key, tokens=normalize(key)))


def translated_secrets(secrets: Secrets, root: Path) -> None:
    """In each language of the catalogue: the hidden checks' names as a student would read them,
    and the translation of every text hidden.py wraps and no other module of grader/ does."""
    grader_dir = root / "grader"
    hidden_file = grader_dir / "checks" / "hidden.py"
    elsewhere = set().union(*(wrapped_texts(p.read_text(encoding="utf-8")) for p in sorted(grader_dir.rglob("*.py"))
                              if p != hidden_file and "__pycache__" not in p.parts))
    hidden_texts = wrapped_texts(hidden_file.read_text(encoding="utf-8")) - elsewhere
    every = catalogue(include_hidden=True)
    for mo in sorted((grader_dir / "locale").glob(f"*/LC_MESSAGES/{i18n.DOMAIN}.mo")):
        language = mo.relative_to(grader_dir / "locale").parts[0]
        with i18n.speaking(language):
            public = normalize("\n".join(c.shown for c in every if not c.hidden))
            for check in every:
                if check.hidden and check.shown != check.name:  # untranslated: the English name is a secret already
                    secrets.add_line(f"hidden check name ({language})", check.shown, public)
        entries = translations(mo)
        for text in sorted(hidden_texts, key=str):
            singular = text if isinstance(text, str) else text[0]
            forms = [entries[singular]] if singular in entries else [
                entries[(singular, index)] for index in range(10) if (singular, index) in entries]
            for form in forms:
                secrets.add_line(f"hidden.py text ({language})", form)


def _arrays(value) -> Iterator[np.ndarray]:
    """Every array inside a plain-data value."""
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _arrays(item)
    elif isinstance(value, values.Yielded):
        yield from _arrays(value.items)


def _fingerprint(array: np.ndarray) -> bytes:
    """The first float values' bytes; empty for arrays too small or too plain to identify."""
    flat = np.ascontiguousarray(array).ravel()
    if flat.dtype.kind != "f" or flat.size < 4 or np.unique(flat[:FINGERPRINT_ELEMENTS]).size < 4:
        return b""
    return flat[:FINGERPRINT_ELEMENTS].tobytes()


def unshipped_fixture_secrets(secrets: Secrets, fixtures_dir: Path, shipped: set[str]) -> None:
    """Fixture files the kit leaves out (the hidden data sets, any hidden record): bytes, arrays, keys."""
    for path in sorted(p for p in fixtures_dir.rglob("*") if p.is_file()):
        name = path.relative_to(fixtures_dir).as_posix()
        if name in shipped or "__pycache__" in path.parts:
            continue
        origin = f"unshipped fixture grader/fixtures/{name}"
        data = path.read_bytes()
        secrets.items.append(Secret(origin, f"sha256 {hashlib.sha256(data).hexdigest()[:16]}", fingerprint=data))
        if path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as arrays:
                found = [arrays[k] for k in arrays.files]
        elif path.suffix == ".bin":
            record = values.load(path)
            found = list(_arrays(record))
            for key in set(record) - secrets.public_probe_keys:
                secrets.items.append(Secret(origin + " probe key", key, tokens=normalize(key)))
        else:
            found = []
        for index, array in enumerate(found):
            if fingerprint := _fingerprint(array):
                secrets.items.append(Secret(f"{origin} array {index}", f"{array.dtype} {array.shape}",
                                            fingerprint=fingerprint))


def collect_secrets(root: Path, shipped_fixtures: set[str]) -> Secrets:
    """Everything of the instructors' repository at ``root`` that must not ship."""
    secrets = Secrets()
    solution = (root / "solutions" / SUBMISSION_FILE).read_text(encoding="utf-8")
    solution_secrets(secrets, solution, f"solutions/{SUBMISSION_FILE}")
    mistakes = (root / "solutions" / "mistakes.py").read_text(encoding="utf-8")
    mistakes_secrets(secrets, mistakes, "solutions/mistakes.py", split_solution(solution)[1])
    hidden_check_secrets(secrets, root / "grader" / "checks")
    translated_secrets(secrets, root)
    unshipped_fixture_secrets(secrets, root / "grader" / "fixtures", shipped_fixtures)
    grading_secret(secrets)
    return secrets


def grading_secret(secrets: Secrets) -> None:
    """The course's grading secret: with it, anyone could draw the grading questions."""
    try:
        secret = course_secret(create=False)
    except ReferenceUnavailable:  # none yet: nothing to leak
        return
    secrets.items.append(Secret("the course's grading secret", "(not shown)", fingerprint=secret))


# --------------------------------------------------------------------------- scanning


def release_files(paths: list[Path], base: Path) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every file under ``paths``, descending into zip archives ("a.zip!member")."""
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            yield from _expand(file.relative_to(base).as_posix(), file.read_bytes())


def _expand(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    yield name, data
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                if not member.is_dir():
                    yield from _expand(f"{name}!{member.filename}", archive.read(member))


def scan(files: Iterator[tuple[str, bytes]], secrets: Secrets) -> list[Leak]:
    """Every (file, secret) pair where the secret is found in the file."""
    leaks = []
    for name, data in files:
        texts = [normalize(text) for text in _texts(data)]
        for secret in secrets.items:
            found = (secret.fingerprint in data if secret.fingerprint
                     else any(_contains(text, secret.tokens) for text in texts))
            if found:
                leaks.append(Leak(name, secret))
        leaks += _extra_public_records(name, data, secrets)
    return leaks


def _texts(data: bytes) -> list[str]:
    """The file as text (undecodable bytes dropped) and, when it is JSON, the strings it holds."""
    text = data.decode("utf-8", errors="ignore")
    if not text.lstrip().startswith(("{", "[")):
        return [text]
    try:
        value = json.loads(text)
    except ValueError:
        return [text]
    return [text, "\n".join(_strings(value))]


def _strings(value) -> Iterator[str]:
    """Every string inside a JSON value, object keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _extra_public_records(name: str, data: bytes, secrets: Secrets) -> list[Leak]:
    """A shipped expected-values file may record the public probes only."""
    if not name.endswith("public_expected.bin"):
        return []
    extra = set(values.decode(data)) - secrets.public_probe_keys
    return [Leak(name, Secret("a record beyond the public checks", key)) for key in sorted(extra)]


def find_leaks(release_paths: list[Path], base: Path, shipped_fixtures: set[str],
               root: Path = REPO_ROOT) -> list[Leak]:
    """Scan the student release (folders and archives under ``base``) against ``root``'s secrets."""
    return scan(release_files(release_paths, base), collect_secrets(root, shipped_fixtures))
