# BUILT ON examples/submissions/stub.py

# BEGIN HOSTILE at the top
# Hostile submission: implements nothing (every function returns None) and at import
# patches NumPy's comparison functions and every grader object it can reach, so that
# a judge running in its process would pass everything.
# Expected: zero points; the grader's own NumPy and objects are untouched.
# END HOSTILE

# BEGIN HOSTILE at the end
import gc
import importlib
import sys

import numpy.testing


def _always_true(*args, **kwargs):
    return True


def _silent(*args, **kwargs):
    return None


PATCHED = []
for _name in ("allclose", "array_equal", "array_equiv", "isclose", "isfinite", "all", "any"):
    setattr(np, _name, _always_true)
    PATCHED.append(f"numpy.{_name}")
for _name in ("assert_allclose", "assert_array_equal", "assert_array_almost_equal", "assert_almost_equal",
              "assert_equal"):
    setattr(np.testing, _name, _silent)
    PATCHED.append(f"numpy.testing.{_name}")
for _module_name in ("grader.checks.judge", "grader.checks.base", "grader.runner", "grader.results",
                     "grader.numerics", "grader.reference"):
    try:
        importlib.import_module(_module_name)
    except BaseException as _error:
        PATCHED.append(f"{_module_name} not importable: {type(_error).__name__}")
for _module_name, _module in list(sys.modules.items()):
    if not _module_name.startswith("grader"):
        continue
    for _attr in dir(_module):
        if _attr.startswith(("judge", "expect_", "rel_error", "run_checks", "_judge", "numerical_gradient")):
            setattr(_module, _attr, _always_true)
            PATCHED.append(f"{_module_name}.{_attr}")
    for _class_name in ("CheckResult", "Report"):
        _class = getattr(_module, _class_name, None)
        if isinstance(_class, type):
            _class.passed = property(lambda self: True)
            _class.score = property(lambda self: 999.0)
            _class.all_passed = property(lambda self: True)
            PATCHED.append(f"{_module_name}.{_class_name}")
for _object in gc.get_objects():
    if type(_object).__name__ in ("CheckResult", "Report", "Expected"):
        try:
            object.__setattr__(_object, "passed", True)
            PATCHED.append(f"an object of type {type(_object).__name__}")
        except Exception:
            pass
print("hostile: patched", ", ".join(PATCHED), flush=True)


def initialize_parameters(input_dim, hidden_dim, output_dim):
    return None


def forward_propagation(X, parameters):
    return None


def compute_cost(A2, Y):
    return None


def backward_propagation(parameters, cache, X, Y):
    return None


def update_parameters(parameters, grads, learning_rate=0.01):
    return None


def batch_generator(X, Y, batch_size=32):
    return None
# END HOSTILE
