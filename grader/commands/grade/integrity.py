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
    Students whose functions return the same wrong numbers on the same probes, where no known mistake
    explains them. While grading, each wrong output that no known mistake of ``solutions/mistakes.py``
    explains is kept as a digest (``wrong_outputs.py``: the probe's observation rounded to 6 significant
    digits, hashed; neither the student's numbers nor the expected ones can be read from it) in the
    student's results file. The probes ask the course's secret questions, and a short lab's correct
    solutions all agree, so two students whose wrong numbers agree on questions nobody saw most likely
    share code. A wrong output is *unusual* when at least 2 and at most ``unusual_limit(class)`` students
    have it (a tenth of the class, at least 2, at most ``MAX_HOLDERS``): one that more share is a common
    mistake the kit does not know yet (many students make it independently), not a lead. A group (the
    students of one unusual output, or two of them) is listed when its students all share at least
    ``MIN_SHARED`` unusual outputs; ``score`` is that number. Correct submissions have no wrong output,
    so they are never in a group. Still a lead, not proof: two students can make the same rare slip.

``rows(out)`` reads the file back for the class report (``report.html``'s integrity section).
"""
from __future__ import annotations

import ast
import contextlib
import csv
import hashlib
import io
import itertools
import json
import os
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from grader.contract import GIVEN_FUNCTIONS, REFERENCE_FILE
from grader.i18n import _
from grader.markers import student_source
from grader.results import Report
from grader.submission import NotGradable, graded_code

if TYPE_CHECKING:  # imported where used: every grading worker imports this module's package, and not jinja2
    from grader.formats import html

FILE_NAME = "integrity.csv"
COLUMNS = ("kind", "students", "score", "evidence")
INSTALL_HINT = 'pip install -e ".[instructor]"  (or: pip install copydetect)'
SIMILARITY_MIN = 0.90  # both files' shares; correct variants reach 0.80, disguised copies 1.0
NOISE_CHARACTERS = 25  # copydetect's k: characters of normalised code in one fingerprint
WINDOW = 4  # copydetect's winnowing window
SHOWN_LEADS = 100  # rows of report.html's integrity section (integrity.csv has every lead)
PREFILTER_MARGIN = 0.25  # a pair is measured exactly when its share of common fingerprints is within this of it
MIN_SHARED = 2  # unusual wrong outputs (each on its own probe) a group must share
MAX_SHARE = 0.10  # a wrong output more than a tenth of the class (and more than 2) shares is common, not a lead
MAX_HOLDERS = 8  # ... and so is one more than 8 share, whatever the class's size: copiers are a handful
MAX_EVIDENCE = 3  # probes named in one row's evidence


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

    Raises SimilarityUnavailable without copydetect.
    """
    if len(codes) < 2:  # no pair: a class of one (a Gradescope container) need not import copydetect
        return []
    try:
        from copydetect import CodeFingerprint, utils
    except ImportError:
        raise SimilarityUnavailable(f"code similarity needs copydetect: {INSTALL_HINT}") from None
    # copydetect hashes k-grams with Python's salted ``hash``: winnowing then keeps other k-grams in every
    # process, and scores (so integrity.csv, a re-run's, a merge's) would differ from run to run
    utils.hash = stable_hash

    def fingerprint(code: str, window: int, boilerplate: object = None) -> CodeFingerprint:
        # The code comes from fp. The language is named: found by the file name, Pygments would load every
        # lexer plugin installed, IPython's among them (0.3 s, and a half-imported IPython costs the
        # pictures being drawn in another thread meanwhile).
        return CodeFingerprint("submission.py", NOISE_CHARACTERS, window, boilerplate=boilerplate,
                               fp=io.StringIO(code), language="python")

    boilerplate = np.array(sorted(fingerprint(canonical(given), 1).hashes))  # every k-gram of the stub
    made: dict[str, CodeFingerprint] = {}  # canonical code -> its fingerprint: identical files are read once
    canonicals: dict[str, str] = {}  # graded code -> canonical code: identical files are parsed once
    prints = {name: made.get(text) or made.setdefault(text, fingerprint(text, WINDOW, boilerplate))
              for name, text in ((name, canonicals.get(code) or canonicals.setdefault(code, canonical(code)))
                                 for name, code in codes.items())}
    prints = {name: p for name, p in prints.items() if p.token_coverage > 0}  # the stub itself: nothing left
    measure = Overlaps(prints.values(), NOISE_CHARACTERS)
    leads = []
    measured: dict[tuple[int, int], tuple] = {}  # identical files share a fingerprint: each pair measured once
    for first, second in itertools.combinations(sorted(prints), 2):
        a, b = prints[first].hashes, prints[second].hashes
        if len(a & b) < (threshold - PREFILTER_MARGIN) * max(len(a), len(b)):
            continue  # the share of fingerprints in common is far below: no need to measure it exactly
        pair = (id(prints[first]), id(prints[second]))
        if pair not in measured:
            measured[pair] = measure(prints[first], prints[second])
        overlap, share1, share2 = measured[pair]
        score = float(min(share1, share2))
        if score >= threshold:
            leads.append(Lead("similar-code", (first, second), round(score, 3),
                              f"{int(overlap)} characters of normalised code in common beyond the stub "
                              f"({share1:.0%} of {first}, {share2:.0%} of {second})"))
    return sorted(leads, key=lambda lead: (-lead.score, lead.students))


class Overlaps:
    """copydetect's exact measure of a pair (``copydetect.compare_files``: the characters of each file's
    normalised code that k-grams found in the other cover, over that file's ``token_coverage``), for
    many pairs of one class. copydetect builds Python lists of positions for every common hash of every
    pair: on a class of near-copies (100 files, 4,950 pairs) ``similar_code`` took 2.76 s of CPU with it and
    1.29 s with this (the rest is tokenising). Here each distinct hash of the class gets a number once, each
    fingerprint keeps the numbers of its k-grams in the order of their positions, and a pair costs a few
    array operations (tests/integrity: the same numbers as copydetect's on pairs of every kind).

    ``measure(p, q)`` -> (characters of p covered, share of p, share of q), as compare_files'
    (token_overlap1, (similarity1, similarity2)).
    """

    def __init__(self, prints: Iterable[object], k: int):
        self.k = k
        numbers: dict[int, int] = {}
        self._kgrams: dict[int, tuple] = {}  # id(fingerprint) -> (positions (n,) sorted, hash numbers (n,))
        for fingerprint in prints:
            kgrams = np.array(sorted((position, numbers.setdefault(hash_value, len(numbers)))
                                     for hash_value, positions in fingerprint.hash_idx.items()
                                     for position in positions), dtype=np.int64).reshape(-1, 2)
            self._kgrams[id(fingerprint)] = (kgrams[:, 0], kgrams[:, 1])
        self._marked = np.zeros(len(numbers), dtype=bool)  # scratch: the hashes of one file, marked and unmarked

    def __call__(self, first: object, second: object) -> tuple[int, float, float]:
        covered1 = self._covered(first, second)
        covered2 = self._covered(second, first)
        return covered1, covered1 / first.token_coverage, covered2 / second.token_coverage

    def _covered(self, this: object, other: object) -> int:
        """Characters of ``this`` covered by its k-grams whose hash ``other`` has (copydetect's copied slices,
        summed): each covers k characters from its position, and overlapping ones count once."""
        positions, hashes = self._kgrams[id(this)]
        other_hashes = self._kgrams[id(other)][1]
        self._marked[other_hashes] = True
        found = positions[self._marked[hashes]]
        self._marked[other_hashes] = False
        if not len(found):
            return 0
        return int(np.minimum(np.diff(found), self.k).sum()) + self.k


def stable_hash(kgram: str) -> int:
    """The same number for the same k-gram in every process (CRC-32: fast, and enough to winnow with)."""
    return zlib.crc32(kgram.encode("utf-8", "surrogatepass"))


# ------------------------------------------------------------------ shared wrong outputs


def unusual_limit(class_size: int) -> int:
    """The most students an unusual wrong output may have: ``MAX_SHARE`` of the class, at least 2 and at
    most ``MAX_HOLDERS``. More students than that do not copy from one another: they make a common
    mistake the kit does not know yet (or share a solution posted for everyone, which the similar code
    shows), and in a class of 300 a tenth is 30."""
    return max(2, min(int(MAX_SHARE * class_size), MAX_HOLDERS))


def unusual_outputs(reports: Iterable[Report]) -> dict[tuple[str, str], frozenset[str]]:
    """(probe key, digest) -> its students, for each wrong output (``Report.wrong_outputs``: no known mistake)
    that at least two and at most ``unusual_limit`` of the class's students share."""
    reports = list(reports)
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    for report in reports:
        for key, digest in report.wrong_outputs.items():
            holders[(key, digest)].add(report.submission)
    limit = unusual_limit(len(reports))
    return {output: frozenset(students) for output, students in holders.items() if 2 <= len(students) <= limit}


def shared_wrong_outputs(reports: Iterable[Report]) -> list[Lead]:
    """Groups of students who share ``MIN_SHARED`` or more unusual wrong outputs, most shared first.

    A group is the students of one unusual output, or two of them (two who share more than the third
    of their group are read best as a pair); its score is the number of unusual outputs *all* its
    students share. A group is left out when a larger one shares as many (the larger says more).
    """
    reports = list(reports)
    unusual = unusual_outputs(reports)
    held: dict[str, set[tuple[str, str]]] = defaultdict(set)  # student -> the unusual outputs they have
    for output, students in unusual.items():
        for student in students:
            held[student].add(output)
    groups = set(unusual.values()) | {frozenset(pair) for students in unusual.values()
                                      for pair in itertools.combinations(sorted(students), 2)}
    shared = {group: set.intersection(*(held[student] for student in group)) for group in groups}
    shared = {group: outputs for group, outputs in shared.items() if len(outputs) >= MIN_SHARED}
    containing: dict[str, list[frozenset[str]]] = defaultdict(list)  # student -> the groups they are in
    for group in shared:
        for student in group:
            containing[student].append(group)
    kept = [group for group, outputs in shared.items()
            if not any(group < other and len(shared[other]) == len(outputs) for other in containing[min(group)])]
    leads = [Lead("same-wrong-output", tuple(sorted(group)), float(len(shared[group])),
                  _evidence(sorted(key for key, _digest in shared[group]),
                            max(len(unusual[output]) for output in shared[group]), len(reports)))
             for group in kept]
    return sorted(leads, key=lambda lead: (-lead.score, -len(lead.students), lead.students))


def _evidence(keys: list[str], most: int, class_size: int) -> str:
    """One sentence: how many probes of which functions, the first few probes, how rare the outputs are."""
    probes = [key.split("@", 1)[0] for key in keys]  # "compute_cost/small@grading": the draw is the run's
    functions = ", ".join(dict.fromkeys(probe.split("/", 1)[0] for probe in probes))
    shown = ", ".join(probes[:MAX_EVIDENCE]) + (f" and {len(probes) - MAX_EVIDENCE} more" if len(probes) > MAX_EVIDENCE
                                               else "")
    return (f"the same wrong output, matching no known mistake, on {len(probes)} probes of {functions} ({shown}); "
            f"each shared by at most {most} of {class_size} students")


# ------------------------------------------------------------------ the file


def write(out: Path, leads: Iterable[Lead]) -> Path:
    """Write ``out/integrity.csv`` (header only when there is no lead); returns its path."""
    from grader.commands.grade.store import write_atomic  # (store imports the worker: only here)

    table = io.StringIO(newline="")
    writer = csv.writer(table)
    writer.writerow(COLUMNS)
    for lead in leads:
        score = f"{lead.score:.3f}" if lead.kind == "similar-code" else f"{lead.score:g}"
        writer.writerow([lead.kind, " ".join(_safe(s) for s in lead.students), score, _safe(lead.evidence)])
    path = Path(out) / FILE_NAME
    write_atomic(path, table.getvalue())
    return path


def _safe(text: str) -> str:
    """A cell a spreadsheet does not read as a formula; bytes that are not UTF-8 as escapes."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def rows(out: Path) -> list[dict[str, str]]:
    """The rows of ``out/integrity.csv`` for the class report's integrity section, as written.

    Each row is a dict with the keys of ``COLUMNS``: ``kind`` ("similar-code" or "same-wrong-output"),
    ``students`` (names separated by spaces: two, or a group), ``score`` (a similarity 0-1 with three
    decimals, or the number of unusual wrong outputs the students share) and ``evidence`` (one
    sentence). [] when the file is
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


def build(out: Path, codes: Mapping[str, str], reports: Iterable[Report], similar: list[Lead] | None = None) -> Outcome:
    """Compute both kinds of lead and write ``out/integrity.csv``. ``similar``: the similar-code leads of
    ``codes`` when they were computed already (beside the grading: similarity.py), else None. Without
    copydetect the similar-code part is left out and ``note`` says how to install it. When nothing it is
    computed from changed since the file was written (the graded code, the wrong-output digests, this
    module, copydetect's version), the file is read back instead: a re-run that re-grades nothing stays fast."""
    reports = list(reports)
    key = _inputs_key(codes, reports)
    earlier = _recorded(out, key)
    if earlier is not None:
        return earlier
    note = ""
    try:
        leads = list(similar) if similar is not None else similar_code(codes, given_code())
    except SimilarityUnavailable as missing:
        leads, note = [], str(missing)
    leads += shared_wrong_outputs(reports)
    outcome = Outcome(leads, write(out, leads), note)
    with contextlib.suppress(OSError):  # without the key the next run only recomputes
        (Path(out) / KEY_FILE).write_text(f"{key}\n{note}", encoding="utf-8")
    return outcome


def _inputs_key(codes: Mapping[str, str], reports: list[Report]) -> str:
    """A hash of everything integrity.csv is computed from."""
    import importlib.metadata  # here: the grading workers import this module's package, not this

    digest = hashlib.sha256(Path(__file__).read_bytes())
    try:
        digest.update(importlib.metadata.version("copydetect").encode())
    except importlib.metadata.PackageNotFoundError:
        digest.update(b"no copydetect")
    for name in sorted(codes):
        digest.update(json.dumps([name, codes[name]]).encode("utf-8", "surrogateescape"))
    for report in sorted(reports, key=lambda r: r.submission):  # every one: the class's size sets "unusual"
        digest.update(json.dumps([report.submission, sorted(report.wrong_outputs.items())])
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
    """The integrity section of report.html: one row per lead, its students (two, or a group) each linked
    to ``page(name)`` (their feedback page's address), in the language of the run."""
    from grader.formats import html

    kinds = {"similar-code": _("similar code"), "same-wrong-output": _("same unusual wrong outputs")}
    rows = [[kinds.get(lead.kind, lead.kind), [html.Link(name, page(name)) for name in lead.students],
             f"{lead.score:g}", lead.evidence] for lead in outcome.leads[:SHOWN_LEADS]]
    intro = _("Leads to read, never verdicts. Similar code: pairs whose graded code is alike once names, comments "
              "and order are set aside (the given code excluded); the score is the share of code in common (0-1). "
              "Same unusual wrong outputs: students whose functions return the same wrong numbers on the same "
              "secret questions, numbers that match no known mistake and that few students of the class share; "
              "the score is how many such outputs they share. Correct solutions of a short lab converge, so read "
              "both students' code before you ask them about it.")
    if len(outcome.leads) > SHOWN_LEADS:
        intro += " " + _("The strongest {shown} leads are shown; all {number} are in integrity.csv.",
                         shown=SHOWN_LEADS, number=len(outcome.leads))
    if outcome.note:
        intro += " " + outcome.note
    return html.Section("integrity", _("Integrity"), [_("kind"), _("students"), _("score"), _("evidence")], rows,
                        intro, _("No lead."))


def preload() -> None:
    """Import copydetect now, in the main thread, before grade's picture thread starts: copydetect pulls in
    IPython, and matplotlib, drawing in that thread, reads ``sys.modules["IPython"]``; a module imported
    half-way there at that moment cost every picture of the run."""
    with contextlib.suppress(ImportError):
        import copydetect  # noqa: F401

