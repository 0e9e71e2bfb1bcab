"""Named check cases, and the draw that decides their inputs.

A ``Case`` names the inputs of a probe: an id that is stable everywhere (it makes the
probe key), the sizes, and the seed the student kit practises with. A ``Draw`` says
where the actual inputs come from:

- ``PRACTICE``: the case's own seed and sizes. The student kit ships the reference's
  answers to these questions (``grader/fixtures/``), so they are for practice only.
- a secret draw (``Draw.secret``): seeds (and, where a case says so, sizes) derived
  from a key the instructor keeps, one draw per course. Every submission gets the same
  questions, so identical code gets identical points and a re-run reproduces a grade,
  and no answer to them ever shipped. Failure messages under a secret draw do not show
  the reference's numbers (``reveals_expected``): a student who saw them could answer
  the same questions from a table on the next submission.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field, replace

from grader.contract import TrainingConfig
from grader.i18n import Message, _

SEED_RANGE = 2**31  # seeds drawn for numpy.random.seed and default_rng alike


@dataclass(frozen=True)
class Draw:
    """name  "practice", "grading" or "otter": shown to nobody, part of non-practice probe keys
    key   None for practice; else the secret the numbers are derived from
    """

    name: str
    key: bytes | None = field(default=None, repr=False)

    @classmethod
    def secret(cls, name: str, course_secret: bytes) -> "Draw":
        """The draw called ``name`` of a course: its key is derived from the course's secret,
        so the otter draw (whose key ships in otter's zip) tells nothing of the grading one."""
        return cls(name, hmac.new(course_secret, f"backprop-lab draw {name}".encode(), hashlib.sha256).digest())

    @property
    def reveals_expected(self) -> bool:
        return self.key is None

    def number(self, case_id: str, what: str, low: int, high: int, practice: int) -> int:
        """An integer in [low, high) for ``what`` of case ``case_id``; ``practice`` under PRACTICE."""
        if self.key is None:
            return practice
        digest = hmac.new(self.key, f"{case_id}/{what}".encode(), hashlib.sha256).digest()
        return low + int.from_bytes(digest[:8], "little") % (high - low)

    def tag(self) -> str:
        """Suffix of probe keys: practice keys are the fixture keys, other draws never collide with them."""
        return "" if self.key is None else f"@{self.name}"


PRACTICE = Draw("practice")


@dataclass(frozen=True)
class Case:
    """The inputs of one probe, by name.

    id             stable name, part of the probe key ("forward/small")
    seed           the practice seed (default_rng seeds for data; np.random.seed for batches)
    m, n_in, n_h, n_out, batch_size, learning_rate   sizes and settings the checks read
    epochs, noise  of a training case: how long it trains (the handout's 100 unless a case says
                   less) and the moons data's noise (the handout's 0.2 unless a case says other)
    varies         sizes a secret draw also changes (when the answer depends on sizes only)
    draw           where the inputs come from (``drawn`` sets it)
    label          how check names show the case where its sizes cannot (a secret draw changes them,
                   or the case is a data set): Message("one output"); its English is part of an id
    """

    id: str
    seed: int = 0
    m: int = 0
    n_in: int = 2
    n_h: int = 4
    n_out: int = 1
    batch_size: int = 32
    learning_rate: float = 0.5
    epochs: int = TrainingConfig.n_epochs
    noise: float = 0.2
    varies: tuple[tuple[str, int, int], ...] = ()  # (field, low, high) drawn in [low, high)
    draw: Draw = PRACTICE
    label: Message | None = None

    def drawn(self, draw: Draw) -> "Case":
        """This case with its seed, and the sizes it lists in ``varies``, taken from ``draw``."""
        changes: dict = {"seed": draw.number(self.id, "seed", 0, SEED_RANGE, self.seed), "draw": draw}
        for name, low, high in self.varies:
            practice = getattr(self, name)
            value = draw.number(self.id, name, low, high, practice)
            if draw.key is not None and value == practice:  # the practice answer shipped: never ask it
                value = low + (value - low + 1) % (high - low)
            changes[name] = value
        return replace(self, **changes)

    def key(self, function: str, kind: str = "") -> str:
        """The probe key of this case: "forward_propagation/small", "backward_propagation/own-small"."""
        return f"{function}/{kind + '-' if kind else ''}{self.id}{self.draw.tag()}"

    @property
    def reveals_expected(self) -> bool:
        return self.draw.reveals_expected

    def seed_note(self) -> str:
        """", seed 3" for practice (students can reproduce it); nothing for a secret draw."""
        return _(", seed {seed}", seed=self.seed) if self.draw.reveals_expected else ""

    def labelled(self) -> Message:
        """The case's label; a case that check names show by label must have one."""
        if self.label is None:
            raise ValueError(f"case {self.id!r} has no label for check names")
        return self.label
