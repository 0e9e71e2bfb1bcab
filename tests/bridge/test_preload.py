"""Slow-to-import modules a class imports (scikit-learn, matplotlib: ~1.5 s in every sandboxed process)
are imported once by the zygote: which ones are read from the code, the zygote stays single-threaded,
and a submission's process finds them imported."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.bridge import zygote
from grader.bridge.isolated import IsolatedBridge
from grader.bridge.zygote import PRELOADABLE, preloadable_imports, start_helper_process, stop_helper_process
from tests.bridge.bridge_support import CALL_TIMEOUT

HANDOUT_IMPORTS = """
import numpy as np
import matplotlib.pyplot as plt
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.metrics import accuracy_score
"""


def test_the_handout_s_imports_are_preloadable_and_nothing_else_is():
    assert preloadable_imports(HANDOUT_IMPORTS) == {"matplotlib.pyplot", "sklearn.datasets",
                                                    "sklearn.model_selection", "sklearn.metrics"}
    assert preloadable_imports("from sklearn import datasets\nimport scipy.linalg\n") == {"sklearn", "sklearn.datasets"}
    assert preloadable_imports("import os, sklearn_extra\nfrom . import sklearn\nimport torch\n") == set()
    assert preloadable_imports("def broken(:\n    import sklearn\n") == set()  # does not parse: nothing


@pytest.fixture
def own_zygote():
    """A zygote of this test's own (the module's singleton is stopped before and after)."""
    stop_helper_process()
    zygote._zygote_instance = None
    yield
    stop_helper_process()
    zygote._zygote_instance = None
    start_helper_process()  # the other tests' zygote, without preloads


SEES_PRELOADED = """
import sys
ALREADY = "sklearn.datasets" in sys.modules  # before this file imports it
from sklearn.datasets import make_moons

def already_imported():
    return ALREADY
"""


@pytest.mark.parametrize("preload, expected", [((), False), (("sklearn.datasets",), True)])
def test_a_submission_s_process_finds_the_preloaded_modules_imported(preload, expected, own_zygote, tmp_path: Path,
                                                                     scratch_root: Path):
    start_helper_process(preload)
    path = tmp_path / "two_layer_net.py"
    path.write_text(textwrap.dedent(SEES_PRELOADED))
    with IsolatedBridge(path, call_timeout=CALL_TIMEOUT) as bridge:
        assert bridge.call("already_imported") is expected


def test_a_zygote_that_preloaded_everything_stays_single_threaded(own_zygote, tmp_path: Path, scratch_root: Path):
    """Forking a process with other threads can deadlock its children: every preloadable module is checked."""
    start_helper_process(PRELOADABLE)
    path = tmp_path / "two_layer_net.py"
    path.write_text("def one():\n    return 1\n")
    with IsolatedBridge(path, call_timeout=CALL_TIMEOUT) as bridge:  # the zygote has answered: preloads done
        assert bridge.call("one") == 1
    status = Path(f"/proc/{zygote._zygote_instance.process.pid}/status").read_text()
    assert "Threads:\t1\n" in status


def test_only_preloadable_modules_are_passed_on(own_zygote):
    start_helper_process(["sklearn.datasets", "os", "antigravity"])
    assert zygote._preload == ["sklearn.datasets"]
