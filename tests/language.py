"""Whether a text meant for Chinese readers is Chinese: ``english_left(text)`` lists the English
words in it, once code (identifiers, calls, shapes, numbers, paths, option names) is set aside.

Tests of every output in Chinese use it: ``assert not english_left(output)``. A word of code that is
no identifier-like token (``keepdims``, ``ravel``) goes into ``CODE_WORDS``.
"""
from __future__ import annotations

import re

from grader.contract import CACHE_KEYS, GIVEN_FUNCTIONS, GRAD_KEYS, PARAM_KEYS, SUBMISSION_FILE, TODO_FUNCTIONS

# Words that are code or names, not English sentences: they stay as written in any language.
CODE_WORDS = {
    *TODO_FUNCTIONS, *GIVEN_FUNCTIONS, *PARAM_KEYS, *GRAD_KEYS, *CACHE_KEYS, SUBMISSION_FILE,
    "X", "Y", "X_batch", "Y_batch", "m", "n_in", "n_h", "n_out", "h", "np", "numpy", "NumPy", "Python",
    "cache", "grads", "parameters", "learning_rate", "batch_size", "seed", "input_dim", "hidden_dim",
    "output_dim", "n_epochs", "keepdims", "axis", "ravel", "flatten", "reshape", "sum", "mean", "item",
    "squeeze", "float", "int", "dict", "list", "tuple", "str", "None", "True", "False", "dtype", "float64",
    "ndarray", "array", "tanh", "sigmoid", "log", "exp", "sqrt", "randn", "rand", "random", "shuffle",
    "permutation", "arange", "yield", "return", "raise", "NotImplementedError", "print", "NaN", "nan",
    "inf", "Inf", "TODO", "pytest", "backprop-lab", "backprop", "lab", "check", "train", "grade",
    "PASS", "FAIL", "OK", "CI", "CSV", "JSON", "HTML", "PNG", "Markdown", "Gradescope", "otter", "Jupyter",
    "make_moons", "model", "predict", "cost", "dZ1", "dZ2", "self", "lambda", "def", "import", "pip",
    "Landlock", "seccomp", "cgroup", "UTF-8", "utf-8", "GitHub", "Actions", "stdout", "stderr", "lang",
    "zh", "en", "BACKPROP_LAB_LANG", "NO_COLOR", "COLUMNS", "show-output", "hidden", "json", "summary",
}
_CODE = re.compile(r"`[^`]*`"  # `code`
                   r"|\S*[\\/]\S*"  # paths, options with values, fractions
                   r"|--?[\w-]+"  # options
                   r"|\w+(?:\.\w+)+(?:\(\S*?\))?"  # np.sum, cost.item(), two_layer_net.py
                   r"|\w+\([^()]*\)"  # calls
                   r"|\b\w*[\d_]\w*\b")  # identifiers with digits or underscores, numbers


def english_left(text: str) -> list[str]:
    """The English words of ``text`` that are not code (in order, each once)."""
    words = re.findall(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]", _CODE.sub(" ", text))
    return list(dict.fromkeys(w for w in words if w not in CODE_WORDS and len(w) > 1))
