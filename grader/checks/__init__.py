"""The check catalogue: one module per student function, plus the public and hidden lists.

``catalogue()`` gives the checks to run, in report order. The hidden list is absent
from the student release; ``hidden_available()`` says whether it is here.
"""
from __future__ import annotations

from grader.checks.base import Check, Expected, Fail, Probe
from grader.checks.cases import PRACTICE, Draw
from grader.contract import SCORED

__all__ = ["Check", "Draw", "Expected", "Fail", "PRACTICE", "Probe", "catalogue", "hidden_available"]


def hidden_available() -> bool:
    try:
        import grader.checks.hidden  # noqa: F401
    except ImportError:
        return False
    return True


def catalogue(include_hidden: bool = False, draw: Draw = PRACTICE, hidden_draw: Draw | None = None) -> list[Check]:
    """Public checks, then (if asked and present) hidden ones, grouped in the order of SCORED.

    draw         where the inputs come from: PRACTICE (the student kit's questions) or a secret draw
    hidden_draw  for the hidden checks, when it differs (otter ships its own draw for them)
    """
    from grader.checks import public

    checks = public.checks(draw)
    if include_hidden:
        from grader.checks import hidden

        checks += hidden.checks(hidden_draw or draw)
    order = {name: i for i, name in enumerate(SCORED)}
    return sorted(checks, key=lambda c: (order[c.function], c.hidden))
