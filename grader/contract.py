"""The assignment contract shared by every part of the kit (see docs/architecture.md).

Shapes are row-major as in the handout: X (m, n_in), Y (m, 1), W1 (n_in, n_h),
b1 (1, n_h), W2 (n_h, n_out), b2 (1, n_out).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from grader.i18n import Message

if TYPE_CHECKING:  # NumPy is imported where data is loaded: Gradescope's wrapper (release/autograder.py) needs none
    import numpy as np

SUBMISSION_FILE = "two_layer_net.py"

# The six functions students write, in the order the handout teaches them.
TODO_FUNCTIONS = (
    "initialize_parameters",
    "forward_propagation",
    "compute_cost",
    "backward_propagation",
    "update_parameters",
    "batch_generator",
)
GIVEN_FUNCTIONS = ("sigmoid", "model", "predict")
TRAINING = "training"  # the score column of the training checks
SCORED = TODO_FUNCTIONS + (TRAINING,)
_GROUPS = {TRAINING: Message("training")}  # scored groups that are no function of the student's: shown translated


def heading(function: str) -> str:
    """How a report (or a check's title) names ``function``: a function's name as written in the code,
    the training checks' group ("training") in the language in use."""
    return str(_GROUPS[function]) if function in _GROUPS else function

PARAM_KEYS = ("W1", "b1", "W2", "b2")
GRAD_KEYS = tuple("d" + k for k in PARAM_KEYS)
CACHE_KEYS = ("Z1", "A1", "Z2", "A2")


@dataclass(frozen=True)
class TrainingConfig:
    """The kit's settings (the handout's 20 epochs at 0.01 stop at ~0.835 test accuracy)."""

    n_hidden: int = 4
    n_epochs: int = 100
    batch_size: int = 32
    learning_rate: float = 0.5


PACKAGE_DIR = Path(__file__).resolve().parent
FIXTURES_DIR = PACKAGE_DIR / "fixtures"
REPO_ROOT = PACKAGE_DIR.parent


def _default_submission() -> Path:
    """student/two_layer_net.py in the instructors' repository; two_layer_net.py beside grader/ in
    the student kit; else the one in the current folder (the kit installed without ``-e``)."""
    for candidate in (REPO_ROOT / "student" / SUBMISSION_FILE, REPO_ROOT / SUBMISSION_FILE):
        if candidate.is_file():
            return candidate
    return Path(SUBMISSION_FILE)


DEFAULT_SUBMISSION = _default_submission()
REFERENCE_FILE = REPO_ROOT / "solutions" / SUBMISSION_FILE


@dataclass(frozen=True)
class MoonsSplit:
    """make_moons(n_samples=1000, noise=0.2, random_state=r), split 80/20 with the same r."""

    random_state: int
    X_train: np.ndarray  # (800, 2)
    Y_train: np.ndarray  # (800, 1)
    X_test: np.ndarray  # (200, 2)
    Y_test: np.ndarray  # (200, 1)


MOONS_STATES = (42,)  # the handout's split, the only one recorded: grading-time and hidden runs draw their own data


def moons_path(random_state: int) -> Path:
    return FIXTURES_DIR / "data" / f"moons_{random_state}.npz"


def load_moons(random_state: int = 42) -> MoonsSplit:
    """The recorded moons split (recorded by ``backprop-lab fixtures`` so checking needs no scikit-learn)."""
    import numpy as np

    with np.load(moons_path(random_state), allow_pickle=False) as data:
        return MoonsSplit(random_state, *(data[k] for k in ("X_train", "Y_train", "X_test", "Y_test")))


def make_moons_split(random_state: int = 42) -> MoonsSplit:
    """Build the split with scikit-learn exactly as the handout does (slow import: ~1 s)."""
    from sklearn.datasets import make_moons
    from sklearn.model_selection import train_test_split

    X, y = make_moons(n_samples=1000, noise=0.2, random_state=random_state)
    X_train, X_test, Y_train, Y_test = train_test_split(
        X, y.reshape(-1, 1), test_size=0.2, random_state=random_state
    )
    return MoonsSplit(random_state, X_train, Y_train, X_test, Y_test)
