"""What a check is: a probe that calls student code, and a judge that compares.

A ``Probe`` builds its inputs from trusted data and calls the submission only
through a ``Bridge``; what it returns (plain data) is the *observation*. The same
probe run on the reference solution gives the *expected* observation: recorded
in ``grader/fixtures/`` for public checks, computed live for hidden ones.

A ``Check`` pairs a probe with a judge and metadata (points, visibility). The
judge raises ``Fail`` with a message for the student, or returns a short
confirmation. Several checks may share one probe (it runs once).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grader.bridge import Bridge
from grader.contract import heading
from grader.i18n import Message, tidy
from grader.results import CheckResult


class Fail(Exception):
    """A judge's verdict that the student's value is wrong; the message says why."""


@dataclass(frozen=True)
class Probe:
    """key     unique name; also the fixture key of the reference's observation
    function  the student function this probe examines ("training" for the training runs)
    inputs    how the inputs are described in messages: "X (5, 2), n_h 4, seed 0"
    run       (bridge, reference) -> observation (plain data). ``reference(key)`` gives the
              reference's observation of another probe, for inputs only the reference can
              make (backward_propagation needs a correct cache)
    """

    key: str
    function: str
    inputs: str
    run: Callable[[Bridge, Callable[[str], Any]], Any]
    needs: tuple["Probe", ...] = ()  # probes whose reference observations ``run`` reads
    reveals: bool = True  # failure messages may show the reference's numbers (practice cases only)


@dataclass
class Expected:
    """What the reference produced for a probe, and what known mistakes produce.

    value     the reference's observation
    mistakes  hint -> the observation of the reference with that mistake put in
              (computed only when a judge asks: most checks pass)
    forward   the reference forward pass ``(X, params) -> A2``, when the reference
              is loaded here (grading); None where only fixtures exist (student side)
    reveals   whether a failure message may show ``value``: only for practice questions,
              whose answers ship anyway
    """

    value: Any
    find_mistakes: Callable[[], dict[str, Any]] = dict
    forward: Callable[[Any, Any], Any] | None = None
    reveals: bool = True

    @property
    def mistakes(self) -> dict[str, Any]:
        return self.find_mistakes()


Judge = Callable[[Any, Expected], "str | None"]


def confirming(inspect: Callable[[Any, Expected], Any], confirmation: Message) -> Judge:
    """A judge that runs ``inspect(got, expected)``, which raises Fail when something is wrong,
    and otherwise confirms with ``confirmation`` (translated when the judge runs, not when the
    catalogue is built)."""

    def judge(got: Any, exp: Expected) -> str:
        inspect(got, exp)
        return str(confirmation)

    return judge


@dataclass(frozen=True)
class Check:
    """name          "forward_propagation: values on X (5, 2)"; starts with the function examined;
                  English, an id (``title``: how it reads in the language in use)
    probe         run on the submission
    judge         (observation, Expected) -> confirmation, or raises Fail
    expected_by   the probe whose *reference* observation is the expectation (default: probe),
                  e.g. a numerical gradient of the reference loss for a backward check
    """

    name: str
    points: float
    hidden: bool
    probe: Probe
    judge: Judge
    expected_by: Probe | None = None
    title: Message | None = None  # the part of the name after "<function>: ", to translate

    @classmethod
    def titled(cls, function: str, title: Message, points: float, hidden: bool, probe: Probe, judge: Judge,
               expected_by: Probe | None = None) -> "Check":
        """The check named "<function>: <title>" (every check's name starts with its function); the
        name is ``title``'s English, the title shown its translation."""
        if not isinstance(title, Message):
            raise TypeError(f"a check's title is a Message (its English is the id, its translation shown); "
                            f"got {title!r}")
        return cls(f"{function}: {title.english}", points, hidden, probe, judge, expected_by, title)

    @property
    def shown(self) -> str:
        """The name as the student reads it, in the language in use."""
        return f"{heading(self.function)}: {self.title}" if self.title is not None else self.name

    def result(self, passed: bool, output: str) -> CheckResult:
        """This check's result, titled in the language in use; its output tidied (every message a
        student reads from a check passes here: no stray spaces between Chinese parts)."""
        return CheckResult(self.name, self.function, self.points, passed, tidy(output), self.hidden, self.shown)

    @property
    def reference_probe(self) -> Probe:
        return self.expected_by or self.probe

    @property
    def function(self) -> str:
        return self.probe.function
