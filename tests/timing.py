"""One knob for every time bound in the tests: ``BACKPROP_LAB_TEST_TIME_SCALE`` (default 1).

Every timeout, deadline, patience and sleep bound the tests set goes through ``scaled``, so
that a slow or loaded machine (a busy CI runner, an emulated architecture) can stretch them
all at once, e.g. ``BACKPROP_LAB_TEST_TIME_SCALE=3 python -m pytest``. Messages that quote a
bound (``killed after 2 s``) are expected with the scaled figure.
"""
from __future__ import annotations

import os

TIME_SCALE_ENV = "BACKPROP_LAB_TEST_TIME_SCALE"


def _time_scale() -> float:
    text = os.environ.get(TIME_SCALE_ENV, "").strip() or "1"
    try:
        scale = float(text)
    except ValueError:
        scale = 0.0
    if not scale > 0 or scale == float("inf"):
        raise ValueError(f"{TIME_SCALE_ENV}={text!r}: expected a positive number such as 1, 2.5 or 4")
    return scale


TIME_SCALE = _time_scale()


def scaled(seconds: float) -> float:
    """``seconds`` times BACKPROP_LAB_TEST_TIME_SCALE: use it for every time bound in the tests."""
    return seconds * TIME_SCALE
