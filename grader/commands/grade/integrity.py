"""``OUT/integrity.csv``: leads for the instructor to read, never verdicts.

Two kinds of lead, one row each (columns ``kind, students, score, evidence``):

``similar-code``
    Two submissions whose graded code (a notebook's: the code ``grader/submission.py`` grades) is
    close after normalisation, measured by copydetect (MOSS-style winnowing, MIT licence, pure
    Python on NumPy and Pygments; ``pip install -e ".[instructor]"``). copydetect tokenises with
    Pygments and replaces every variable, attribute and function name by one letter and every string
    by another, and drops comments and blank space, so renamed variables and changed comments change
    nothing; winnowing compares k-grams position-free, so reordered functions lose only the k-grams
    that straddle a function boundary. The stub's code (given ``sigmoid``, ``model``, ``predict``,
    the docstrings, the signatures and the skeleton) is boilerplate: its k-grams are removed from
    every submission before comparing. ``score`` is the smaller of the two shares of each file's
    remaining code found in the other; a pair is listed at ``SIMILARITY_MIN`` and above. This lab is
    short and correct solutions converge: the kit's independently written correct variants
    (``tests/variants/correct/``) reach 0.80 against each other (two that differ in a few lines of three
    functions), a disguised copy 1.0; the threshold sits between, and the test suite
    holds both ends.

``same-wrong-output``
    Students whose failing checks show the same wrong numbers on the same probes, where the message
    names no known mistake and no pattern: the bare "relative error E > tol (inputs)." of
    ``judge.expect_close`` with nothing after it. Grading questions are drawn from the course's
    secret, so the relative error (two significant digits) is a digest of the student's numbers on
    inputs nobody saw. A message that carries a known mistake's hint or a pattern diagnosis is
    excluded (the kit already explains those: many students make them independently), so are
    statuses like not implemented, exceptions and shapes (their messages carry no numbers of the
    student's). A message is *unusual* when at most ``max(MIN_COMMON, class / 20)`` students have
    it; a pair of students is listed when they share at least ``MIN_SHARED`` unusual messages, each
    on a different check. ``score`` is that number of checks. Messages of an earlier run in another
    language are not compared (they do not match this language's wording).

``rows(out)`` reads the file back for the class report (``report.html``'s integrity section).
"""
from __future__ import annotations

import ast
import contextlib
import csv
import hashlib
import importlib.metadata
import io
import itertools
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from grader.contract import GIVEN_FUNCTIONS, REFERENCE_FILE
from grader.formats import html
from grader.i18n import LANGUAGES, _, speaking
from grader.markers import student_source
from grader.results import Report
from grader.submission import NotGradable, graded_code

FILE_NAME = "integrity.csv"
COLUMNS = ("kind", "students", "score", "evidence")
INSTALL_HINT = 'pip install -e ".[instructor]"  (or: pip install copydetect)'
SIMILARITY_MIN = 0.90  # both files' shares; correct variants reach 0.80, disguised copies 1.0
NOISE_CHARACTERS = 25  # copydetect's k: characters of normalised code in one fingerprint
WINDOW = 4  # copydetect's winnowing window
PREFILTER_MARGIN = 0.25  # a pair is measured exactly when its share of common fingerprints is within this of it
MIN_SHARED = 2  # checks on which a group's wrong numbers must agree
MIN_COMMON = 3  # a message more students than this (or than a 20th of the class) share is common
MAX_EVIDENCE = 3  # messages quoted in one row's evidence


@dataclass(frozen=True)
class Lead:
    """One row of integrity.csv. students: sorted names; score: similarity (0-1) or shared checks."""

    kind: str
    students: tuple[str, ...]
    score: float
    evidence: str


class SimilarityUnavailable(RuntimeError):
    """copydetect is not installed; the message says how to install it."""


# ------------------------------------------------------------------ code similarity


def read_graded_code(path: Path) -> str | None:
    """The code graded in the submission file ``path`` (a notebook's kept cells), or None when it
    cannot be read or is no submission. Never follows a link: a refused submission is never read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as handle:
            text = handle.read().decode("utf-8", "replace")
        return graded_code(path.name, text).text
    except (OSError, NotGradable, SyntaxError, ValueError):
        return None


def canonical(code: str) -> str:
    """``code`` as Python prints it back from its syntax tree (``ast.unparse``: no comments, one spacing),
    without docstrings, in an order that does not depend on the file's: the module's other statements
    as written, then its top-level functions sorted by name, without the given ones (``sigmoid``,
    ``model``, ``predict``: nobody's own work). Code that does not parse is kept as it is."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return code
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
    functions = sorted((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))),
                       key=lambda n: n.name)
    tree.body = [n for n in tree.body if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))] \
        + [n for n in functions if n.name not in GIVEN_FUNCTIONS]
    try:
        return ast.unparse(tree)
    except (ValueError, RecursionError):
        return code


def graded_codes(submissions: Iterable[object]) -> dict[str, str]:
    """name -> graded code of every collected submission that is not refused (a refused one is never read)."""
    codes = {}
    for submission in submissions:
        if not submission.refusal:
            code = read_graded_code(submission.path)
            if code is not None:
                codes[submission.name] = code
    return codes


def given_code() -> str:
    """The code every student receives: the stub made from the reference (signatures, docstrings,
    TODO comments, the given sigmoid, model and predict)."""
    return student_source(REFERENCE_FILE.read_text(encoding="utf-8"))


def similar_code(codes: Mapping[str, str], given: str, threshold: float = SIMILARITY_MIN) -> list[Lead]:
    """Pairs of ``codes`` (name -> graded code) at ``threshold`` or above, most similar first.

    Raises SimilarityUnavailable without copydetect. One process computes every fingerprint:
    copydetect hashes k-grams with Python's ``hash``, which differs between processes.
    """
    if len(codes) < 2:  # no pair: a class of one (a Gradescope container) need not import copydetect
        return []
    try:
        import numpy as np
        from copydetect import CodeFingerprint, compare_files
    except ImportError:
        raise SimilarityUnavailable(f"code similarity needs copydetect: {INSTALL_HINT}") from None

    def fingerprint(code: str, window: int, boilerplate: object = None) -> CodeFingerprint:
        # The code comes from fp. The language is named: found by the file name, Pygments would load every
        # lexer plugin installed, IPython's among them (0.3 s, and a half-imported IPython costs the
        # pictures being drawn in another thread meanwhile).
        return CodeFingerprint("submission.py", NOISE_CHARACTERS, window, boilerplate=boilerplate,
                               fp=io.StringIO(code), language="python")

    boilerplate = np.array(sorted(fingerprint(canonical(given), 1).hashes))  # every k-gram of the stub
    prints = {name: fingerprint(canonical(code), WINDOW, boilerplate) for name, code in codes.items()}
    prints = {name: p for name, p in prints.items() if p.token_coverage > 0}  # the stub itself: nothing left
    leads = []
    for first, second in itertools.combinations(sorted(prints), 2):
        a, b = prints[first].hashes, prints[second].hashes
        if len(a & b) < (threshold - PREFILTER_MARGIN) * max(len(a), len(b)):
            continue  # the share of fingerprints in common is far below: skip copydetect's slower exact measure
        overlap, (share1, share2), _slices = compare_files(prints[first], prints[second])
        score = float(min(share1, share2))
        if score >= threshold:
            leads.append(Lead("similar-code", (first, second), round(score, 3),
                              f"{int(overlap)} characters of normalised code in common beyond the stub "
                              f"({share1:.0%} of {first}, {share2:.0%} of {second})"))
    return sorted(leads, key=lambda lead: (-lead.score, lead.students))


# ------------------------------------------------------------------ shared wrong outputs


def _bare_value_messages() -> list[re.Pattern[str]]:
    """The bare wrong-value message of ``judge.expect_close`` in every language, as whole-line patterns."""
    sentinels = {"what": "\x00W", "error": "\x00E", "tol": "\x00T", "inputs": "\x00I"}
    patterns = []
    for language in LANGUAGES:
        with speaking(language):
            text = _("{what}: relative error {error} > {tol} ({inputs}).", **sentinels)
        pattern = re.escape(text)
        for sentinel in sentinels.values():
            pattern = pattern.replace(re.escape(sentinel), r"[^\n]+?")
        patterns.append(re.compile(pattern))
    return patterns


def unusual_messages(reports: Iterable[Report]) -> dict[str, dict[str, str]]:
    """student -> {check name: its bare wrong-value message} for every failed check whose message is a
    bare wrong value (no hint, no diagnosis) that few students share."""
    patterns = _bare_value_messages()
    bare: dict[str, dict[str, str]] = defaultdict(dict)
    reports = list(reports)
    for report in reports:
        for result in report.results:
            first = result.output.split("\n", 1)[0].strip()
            if not result.passed and any(p.fullmatch(first) for p in patterns):
                bare[report.submission][result.name] = first
    holders: dict[tuple[str, str], int] = defaultdict(int)
    for messages in bare.values():
        for key in messages.items():
            holders[key] += 1
    common = max(MIN_COMMON, len(reports) // 20)
    return {student: {check: text for check, text in messages.items() if holders[(check, text)] <= common}
            for student, messages in bare.items()}


def shared_wrong_outputs(reports: Iterable[Report]) -> list[Lead]:
    """Pairs of students who share ``MIN_SHARED`` or more unusual wrong-value messages, most shared first.
    (Pairs, not larger groups: three students of whom two share more than the third are read best so.)"""
    shared: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    by_message: dict[tuple[str, str], list[str]] = defaultdict(list)
    for student, messages in unusual_messages(reports).items():
        for key in messages.items():
            by_message[key].append(student)
    for key, students in by_message.items():
        for pair in itertools.combinations(sorted(students), 2):  # few: an unusual message has few holders
            shared[pair].append(key)
    leads = []
    for students, keys in shared.items():
        if len(keys) >= MIN_SHARED:
            keys.sort()
            quoted = "; ".join(f"{check}: {text}" for check, text in keys[:MAX_EVIDENCE])
            more = f"; and {len(keys) - MAX_EVIDENCE} more" if len(keys) > MAX_EVIDENCE else ""
            leads.append(Lead("same-wrong-output", students, float(len(keys)),
                              f"the same wrong numbers, matching no known mistake, on {len(keys)} checks: "
                              f"{quoted}{more}"))
    return sorted(leads, key=lambda lead: (-lead.score, lead.students))


# ------------------------------------------------------------------ the file


def write(out: Path, leads: Iterable[Lead]) -> Path:
    """Write ``out/integrity.csv`` (header only when there is no lead); returns its path."""
    path = Path(out) / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for lead in leads:
            score = f"{lead.score:.3f}" if lead.kind == "similar-code" else f"{lead.score:g}"
            writer.writerow([lead.kind, " ".join(_safe(s) for s in lead.students), score, _safe(lead.evidence)])
    os.replace(partial, path)
    return path


def _safe(text: str) -> str:
    """A cell a spreadsheet does not read as a formula; bytes that are not UTF-8 as escapes."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def rows(out: Path) -> list[dict[str, str]]:
    """The rows of ``out/integrity.csv`` for the class report's integrity section, as written.

    Each row is a dict with the keys of ``COLUMNS``: ``kind`` ("similar-code" or "same-wrong-output"),
    ``students`` (names separated by spaces), ``score`` (a similarity 0-1 with three decimals, or the
    number of checks whose wrong numbers agree) and ``evidence`` (one sentence). [] when the file is
    missing (a run without the integrity step) or holds no lead.
    """
    try:
        with (Path(out) / FILE_NAME).open(newline="", encoding="utf-8") as handle:
            return [dict(row) for row in csv.DictReader(handle)]
    except OSError:
        return []


@dataclass
class Outcome:
    """What ``build`` wrote: the leads, the file, and a note when similarity could not run."""

    leads: list[Lead]
    path: Path
    note: str = ""


KEY_FILE = ".integrity-key"  # beside integrity.csv: what it was computed from, and its note


def build(out: Path, codes: Mapping[str, str], reports: Iterable[Report]) -> Outcome:
    """Compute both kinds of lead and write ``out/integrity.csv``. Without copydetect the similar-code
    part is left out and ``note`` says how to install it. When nothing it is computed from changed
    since the file was written (the graded code, the messages, this module, copydetect's version), the
    file is read back instead: a re-run that re-grades nothing stays fast."""
    reports = list(reports)
    key = _inputs_key(codes, reports)
    earlier = _recorded(out, key)
    if earlier is not None:
        return earlier
    note = ""
    try:
        leads = similar_code(codes, given_code())
    except SimilarityUnavailable as missing:
        leads, note = [], str(missing)
    leads += shared_wrong_outputs(reports)
    outcome = Outcome(leads, write(out, leads), note)
    with contextlib.suppress(OSError):  # without the key the next run only recomputes
        (Path(out) / KEY_FILE).write_text(f"{key}\n{note}", encoding="utf-8")
    return outcome


def _inputs_key(codes: Mapping[str, str], reports: list[Report]) -> str:
    """A hash of everything integrity.csv is computed from."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    try:
        digest.update(importlib.metadata.version("copydetect").encode())
    except importlib.metadata.PackageNotFoundError:
        digest.update(b"no copydetect")
    for name in sorted(codes):
        digest.update(json.dumps([name, codes[name]]).encode("utf-8", "surrogateescape"))
    for report in sorted(reports, key=lambda r: r.submission):
        digest.update(json.dumps([report.submission, str(report.status),
                                  [[r.name, r.passed, r.output] for r in report.results]])
                      .encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _recorded(out: Path, key: str) -> Outcome | None:
    """The outcome integrity.csv holds when it was computed from ``key``'s inputs, else None."""
    path = Path(out) / FILE_NAME
    try:
        recorded, _newline, note = (Path(out) / KEY_FILE).read_text(encoding="utf-8").partition("\n")
    except OSError:
        return None
    if recorded != key or not path.is_file():
        return None
    leads = [Lead(row["kind"], tuple(row["students"].split()), float(row["score"] or 0), row["evidence"])
             for row in rows(out)]
    return Outcome(leads, path, note)


def summary_line(outcome: Outcome) -> str:
    """One line for the end of ``grade``."""
    kinds = defaultdict(int)
    for lead in outcome.leads:
        kinds[lead.kind] += 1
    found = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items())) or "no lead"
    line = f"integrity: {found} (leads to read, not verdicts) in {outcome.path}"
    return line + (f"\nintegrity: {outcome.note}" if outcome.note else "")


def section(outcome: Outcome, page: Callable[[str], str]) -> html.Section:
    """The integrity section of report.html: one row per lead, each student linked to ``page(name)``
    (their feedback page's address), in the language of the run."""
    kinds = {"similar-code": _("similar code"), "same-wrong-output": _("same unusual wrong numbers")}
    rows = [[kinds.get(lead.kind, lead.kind), *[html.Link(name, page(name)) for name in lead.students[:2]],
             *([""] * (2 - len(lead.students[:2]))), f"{lead.score:g}", lead.evidence] for lead in outcome.leads]
    intro = _("Leads to read, never verdicts: pairs whose graded code is alike once names, comments and order "
              "are set aside (the given code excluded), and students who share the same wrong numbers that "
              "match no known mistake.")
    if outcome.note:
        intro += " " + outcome.note
    return html.Section("integrity", _("Integrity"), [_("kind"), _("student"), _("other student"), _("score"),
                                                       _("evidence")], rows, intro, _("No lead."))


def preload() -> None:
    """Import copydetect now, in the main thread, before grade's picture thread starts: copydetect pulls in
    IPython, and matplotlib, drawing in that thread, reads ``sys.modules["IPython"]``; a module imported
    half-way there at that moment cost every picture of the run."""
    with contextlib.suppress(ImportError):
        import copydetect  # noqa: F401

