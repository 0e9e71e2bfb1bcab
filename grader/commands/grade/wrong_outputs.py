"""Digests of a student's unexplained wrong outputs, kept while grading for ``integrity.csv``.

When one of a probe's checks fails and the kit cannot explain why, the probe's raw observation (what the
student's functions returned on the course's secret questions) is reduced to a digest: canonicalised
(dict keys sorted, arrays as shape and values, numbers rounded to ``SIGNIFICANT`` significant digits,
entries that are only rounding noise beside the array's largest set to 0), then SHA-256, truncated to
``DIGEST_CHARS`` hex digits. It shows neither the student's numbers nor the expected ones; two students
whose functions return the same wrong numbers, however each wrote them, get the same digest.
``Report.wrong_outputs`` holds them (probe key -> digest); ``integrity.py`` groups students by them.

A wrong output is *explained*, and gets no digest, when
- it is a known mistake: the observation equals that of the reference with one of ``solutions/mistakes.py``
  put in (on this very probe), or the failing check's message names a known mistake (the judge matched a
  part of the observation);
- or the probe called a student function whose wrong output is a known mistake on some probe: training
  composes all six functions, and "agrees with your own forward + cost" calls three, so one known mistake
  makes those outputs wrong too, and students who made it independently would share them.
Many students make the same known mistake independently: a shared known mistake is no lead. A wrong
output that only a pattern of ``grader/checks/diagnose.py`` describes (a factor, a sign, a transpose
that no entry of mistakes.py reproduces) keeps its digest: the pattern says what kind of slip it is,
not that it is a common one; whether many students share it is for ``integrity.py`` to count.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from grader.checks import Check, Expected, Fail, Probe
from grader.checks.judge import same_values
from grader.contract import TODO_FUNCTIONS
from grader.i18n import _ as translate_marked  # a hint marked with N_ in mistakes.py, as the judge words it
from grader.results import CheckResult
from grader.values import Opaque, Yielded

SIGNIFICANT = 6  # digits kept: equal implementations agree to ~1e-14, distinct bugs differ far above 1e-6
NOISE = 1e-9  # entries smaller than this times the array's largest are rounding noise (0 written as 1e-17)
DIGEST_CHARS = 16  # 64 bits: no accidental collision in any class


def digest(value: Any) -> str:
    """The digest of an observation: plain data (dict, list, tuple, Yielded, arrays, numbers, strings)."""
    text = json.dumps(canonical(value), separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:DIGEST_CHARS]


def canonical(value: Any) -> Any:
    """``value`` as JSON data that does not depend on how it was computed: dicts by sorted keys, a
    tuple as a list, numbers (and arrays, with their shape) rounded by ``rounded``."""
    if isinstance(value, dict):
        return ["dict", sorted([str(key), canonical(item)] for key, item in value.items())]
    if isinstance(value, (list, tuple)):
        return ["list", [canonical(item) for item in value]]
    if isinstance(value, Yielded):
        return ["yielded", value.truncated, [canonical(item) for item in value.items]]
    if isinstance(value, Opaque):
        return ["opaque", value.type_name]  # its text may hold an address, different in every process
    if value is None or isinstance(value, (str, bool, np.bool_)):
        return ["plain", value if not isinstance(value, np.bool_) else bool(value)]
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):  # complex, text in an array, an int of 400 digits, ...
        return ["other", type(value).__name__]
    return ["number" if array.ndim == 0 and not isinstance(value, np.ndarray) else "array", list(array.shape),
            rounded(array)]


def rounded(array: np.ndarray) -> list[str]:
    """The entries of ``array`` to ``SIGNIFICANT`` significant digits, as text ("nan", "inf" kept);
    entries below ``NOISE`` times the largest finite magnitude read 0 (and -0 reads 0)."""
    flat = array.ravel()
    finite = np.isfinite(flat)
    scale = float(np.max(np.abs(flat[finite]))) if finite.any() else 0.0
    flat = np.where(finite & (np.abs(flat) <= NOISE * scale), 0.0, flat) + 0.0
    return [f"{x:.{SIGNIFICANT - 1}e}" for x in flat.tolist()]


class WrongOutputs:
    """A grading bridge and its checks, watched: which student functions each probe calls, and the
    observation of every probe one of whose checks fails. Run ``checks`` through this bridge with
    ``on_result`` as ``run_checks``' callback, then ask ``digests(reference)``."""

    def __init__(self, bridge: Any, checks: list[Check]):
        self.bridge = bridge
        self.checks = [replace(check, judge=self._watching(check)) for check in checks]
        self._called: set[str] = set()  # student functions called since the last result
        self._calls: dict[str, set[str]] = {}  # probe key -> the student functions its run called
        self._wrong: dict[str, tuple[Probe, Any]] = {}  # probe key -> (probe, observation) when a check failed
        self._named: set[str] = set()  # probe keys whose failing message named a known mistake
        self._results = 0

    # the bridge: calls pass through, their functions are noted
    def __getattr__(self, name: str) -> Any:  # close, notes, events, picture: the wrapped bridge's own
        return getattr(self.bridge, name)

    def call(self, function: str, *args: Any, **options: Any) -> Any:
        self._called.add(function)
        return self.bridge.call(function, *args, **options)

    def call_each(self, calls: list[tuple], **options: Any) -> list[Any]:
        self._called.update(call[0] for call in calls)
        return self.bridge.call_each(calls, **options)

    def run(self, routine: str, **kwargs: Any) -> Any:
        self._called.update(TODO_FUNCTIONS)  # a routine (training) composes the student's functions
        return self.bridge.run(routine, **kwargs)

    def on_result(self, result: CheckResult) -> None:
        """``run_checks`` calls this after each check, in order: the calls made since belong to its probe."""
        key = self.checks[self._results].probe.key
        self._results += 1
        self._calls.setdefault(key, set()).update(self._called)
        self._called.clear()

    def _watching(self, check: Check) -> Callable[[Any, Expected], Any]:
        judge = check.judge

        def judged(got: Any, exp: Expected) -> Any:
            try:
                return judge(got, exp)
            except Fail as failure:
                self._wrong[check.probe.key] = (check.probe, got)
                if _names_known_mistake(str(failure), exp):
                    self._named.add(check.probe.key)
                raise

        return judged

    def digests(self, reference: Any) -> dict[str, str]:
        """probe key -> digest of each wrong output the kit does not explain (see the module's docstring);
        ``reference.mistakes(probe)`` gives hint -> observation of the reference with that known mistake."""
        known = {key for key, (probe, got) in self._wrong.items()
                 if key in self._named or any(same_values(got, seen) for seen in reference.mistakes(probe).values())}
        mistaken = {self._wrong[key][0].function for key in known}
        return {key: digest(got) for key, (probe, got) in sorted(self._wrong.items())
                if key not in known and not (self._calls.get(key, set()) | {probe.function}) & mistaken}


def _names_known_mistake(message: str, exp: Expected) -> bool:
    """Whether a judge's failing ``message`` quotes one of the probe's known mistakes (as ``match_mistake``
    words them). Only asked after a failure, when the judge has computed the mistakes anyway."""
    return any(translate_marked(hint) in message for hint in exp.mistakes)
