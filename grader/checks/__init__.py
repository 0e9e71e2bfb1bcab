"""The check catalogue: one module per student function, plus the public and hidden lists.

``catalogue()`` gives the checks to run, in report order. The hidden list is absent
from the student release; ``hidden_available()`` says whether it is here.
"""
from __future__ import annotations

from grader.checks.base import Check, Expected, Fail, Probe
from grader.contract import SCORED

__all__ = ["Check", "Expected", "Fail", "Probe", "catalogue", "hidden_available"]


def hidden_available() -> bool:
    try:
        import grader.checks.hidden  # noqa: F401
    except ImportError:
        return False
    return True


def catalogue(include_hidden: bool = False) -> list[Check]:
    """Public checks, then (if asked and present) hidden ones, grouped in the order of SCORED."""
    from grader.checks import public

    checks = public.checks()
    if include_hidden:
        from grader.checks import hidden

        checks += hidden.checks()
    order = {name: i for i, name in enumerate(SCORED)}
    return sorted(checks, key=lambda c: (order[c.function], c.hidden))
