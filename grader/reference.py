"""Where expected values come from.

- ``LiveReference`` loads ``solutions/two_layer_net.py`` (and its known mistakes)
  into *this* process and runs each probe on it. Used when grading and when
  recording fixtures; never available in the student release.
- ``RecordedReference`` reads what ``LiveReference`` observed for the public
  probes, from ``grader/fixtures/public_expected.bin``: expected numbers only, no code.

Both answer ``expected(check) -> Expected``.
"""
from __future__ import annotations

import importlib.util
import os
import secrets
import sys
from functools import cached_property
from pathlib import Path
from typing import Any

from grader import values
from grader.bridge import StudentCodeError
from grader.bridge.inprocess import InProcessBridge, load_submission
from grader.checks.base import Check, Expected, Probe
from grader.checks.cases import Draw
from grader.contract import FIXTURES_DIR, REFERENCE_FILE
from grader.i18n import _

PUBLIC_FIXTURE = FIXTURES_DIR / "public_expected.bin"
MANIFEST = FIXTURES_DIR / "manifest.json"
# The course's secret: it decides every question asked at grading time (see grader/checks/cases.py).
SECRET_FILE = REFERENCE_FILE.parent / "grading-secret"
SECRET_ENV = "BACKPROP_LAB_SECRET"


class ReferenceUnavailable(RuntimeError):
    """The reference solution or the recorded fixtures cannot be found."""


def course_secret(create: bool = True) -> bytes:
    """The course's grading secret: $BACKPROP_LAB_SECRET, else solutions/grading-secret.

    Every grader of one course must use the same secret (the same file, or the same
    variable), so that identical code gets identical points everywhere and a re-run
    reproduces a grade. The file is made (32 random bytes, hex) the first time it is needed.
    Raises ReferenceUnavailable when it is missing and ``create`` is false.
    """
    given = os.environ.get(SECRET_ENV, "").strip()
    if given:
        return given.encode()
    if SECRET_FILE.is_file():
        return SECRET_FILE.read_text(encoding="utf-8").strip().encode()
    if not create:
        raise ReferenceUnavailable(_("no grading secret: set {variable} or create {path}", variable=SECRET_ENV,
                                     path=SECRET_FILE))
    if not SECRET_FILE.parent.is_dir():
        raise ReferenceUnavailable(_("grading needs the reference solution, and {path} is not here",
                                     path=SECRET_FILE.parent))
    SECRET_FILE.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    SECRET_FILE.chmod(0o600)
    return course_secret(create=False)


def grading_draw(create: bool = True) -> Draw:
    """The draw every grading run of this course asks its questions from."""
    return Draw.secret("grading", course_secret(create))


def load_mistakes(solution_file: Path = REFERENCE_FILE) -> tuple:
    """``solutions/mistakes.py`` beside the solution: the known mistakes as edits of it."""
    path = solution_file.parent / "mistakes.py"
    spec = importlib.util.spec_from_file_location("backprop_lab_mistakes", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it is executed
    spec.loader.exec_module(module)
    return module.MISTAKES


def apply_mistake(source: str, mistake) -> str:
    """The solution source with one mistake put in. Raises ValueError if it does not apply exactly once."""
    if source.count(mistake.find) != 1:
        raise ValueError(f"mistake {mistake.name}: snippet found {source.count(mistake.find)} times, not once")
    return source.replace(mistake.find, mistake.replace)


class LiveReference:
    """Runs probes on the reference solution loaded in this process (memoised per probe)."""

    def __init__(self, solution_file: Path = REFERENCE_FILE):
        if not solution_file.is_file():
            raise ReferenceUnavailable(_("the reference solution {path} is not here", path=solution_file))
        self.solution_file = solution_file
        self.bridge = InProcessBridge(load_submission(solution_file, "reference_solution"), str(solution_file))
        self._observed: dict[str, Any] = {}
        self._mistaken: dict[str, dict[str, Any]] = {}

    def observe(self, probe: Probe) -> Any:
        if probe.key not in self._observed:
            for need in probe.needs:
                self.observe(need)
            self._observed[probe.key] = probe.run(self.bridge, self._observed.__getitem__)
        return self._observed[probe.key]

    @cached_property
    def _mistake_bridges(self) -> list[tuple[Any, InProcessBridge]]:
        source = self.solution_file.read_text(encoding="utf-8")
        bridges = []
        for mistake in load_mistakes(self.solution_file):
            namespace: dict[str, Any] = {"__name__": f"mistake_{mistake.name}"}
            exec(compile(apply_mistake(source, mistake), str(self.solution_file), "exec"), namespace)
            bridges.append((mistake, InProcessBridge(namespace, str(self.solution_file))))
        return bridges

    def mistakes(self, probe: Probe) -> dict[str, Any]:
        """hint -> observation, for the known mistakes in the probe's function."""
        if probe.key not in self._mistaken:
            found = {}
            for mistake, bridge in self._mistake_bridges:
                if mistake.function != probe.function:
                    continue
                try:
                    found[mistake.hint] = probe.run(bridge, self._observed.__getitem__)
                except StudentCodeError:
                    continue  # this mistake makes the function raise: nothing to match against
            self._mistaken[probe.key] = found
        return self._mistaken[probe.key]

    def forward(self, X, params):
        A2, _cache = self.bridge.call("forward_propagation", X, params)
        return A2

    def expected(self, check: Check) -> Expected:
        for need in check.probe.needs:
            self.observe(need)
        value = self.observe(check.reference_probe)
        return Expected(value, lambda: self.mistakes(check.probe), self.forward, check.probe.reveals)

    def record(self, checks: list[Check]) -> dict[str, Any]:
        """Everything the checks need, as plain data: {probe key: {"value", "mistakes"}}."""
        record: dict[str, Any] = {}
        for check in checks:
            for probe in (*check.probe.needs, check.reference_probe):
                record.setdefault(probe.key, {"value": self.observe(probe), "mistakes": {}})
            entry = record.setdefault(check.probe.key, {"value": self.observe(check.probe), "mistakes": {}})
            entry["mistakes"] = self.mistakes(check.probe)
        return record


class RecordedReference:
    """Expected values read from a fixture file written by ``LiveReference.record``."""

    forward = None  # no reference code on this side

    def __init__(self, path: Path = PUBLIC_FIXTURE):
        if not path.is_file():
            raise ReferenceUnavailable(_("the fixture file {path} is missing; run `backprop-lab fixtures`", path=path))
        self.record: dict[str, Any] = values.load(path)

    def observe(self, probe: Probe) -> Any:
        try:
            return self.record[probe.key]["value"]
        except KeyError:
            raise ReferenceUnavailable(_("no recorded value for {key}; run `backprop-lab fixtures`",
                                         key=probe.key)) from None

    def expected(self, check: Check) -> Expected:
        entry = self.record.get(check.probe.key, {})
        mistakes = entry.get("mistakes", {})
        return Expected(self.observe(check.reference_probe), lambda: mistakes, None, check.probe.reveals)
