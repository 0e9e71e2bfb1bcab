"""``python -m grader``: the same as the ``backprop-lab`` console script.

``python -m`` puts the current folder first on sys.path. Run inside a folder of submissions,
a student file named ``numpy.py`` or ``tqdm.py`` would then be imported instead of the real
module, in the grading process. So that folder is dropped from sys.path before anything else
is imported, unless it is the folder that holds this ``grader`` package (the student kit runs
``python -m grader check`` from its own folder). What cannot be fixed from here: a ``grader.py``
or ``grader/`` in the current folder is imported *instead of this file*, before any of our code
runs; instructors should run the ``backprop-lab`` console script, which does not look there.
"""
import os
import sys


def _drop_current_folder() -> None:
    """Remove the current folder ("" or its path) from sys.path unless it holds this package."""
    here = os.path.realpath(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    current = os.path.realpath(os.getcwd())
    if current == here:
        return
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") != current]


_drop_current_folder()

from grader.cli import main  # noqa: E402  (after sys.path is safe)

sys.exit(main())
