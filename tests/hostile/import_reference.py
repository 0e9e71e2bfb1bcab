# BUILT ON examples/submissions/stub.py

# BEGIN HOSTILE at the top
# Hostile submission: implements nothing itself; at import it tries every way it knows
# to get hold of the reference solution (import solutions.two_layer_net, the kit's
# checkout on sys.path, importlib from the file, reading the file, sys.modules, the
# garbage collector, grader.reference.LiveReference) and, if one works, uses it.
# Expected: zero points; every attempt fails in the grader's child process.
# END HOSTILE

# BEGIN HOSTILE at the end
import gc
import importlib
import importlib.util
import sys
from pathlib import Path

TODO = ("initialize_parameters", "forward_propagation", "compute_cost", "backward_propagation",
        "update_parameters", "batch_generator")
ATTEMPTS = {}  # attempt -> what happened
_stolen = None


def _checkout():
    return Path(sys.modules["grader"].__file__).resolve().parents[1]


def _from_file():
    spec = importlib.util.spec_from_file_location("stolen", _checkout() / "solutions" / "two_layer_net.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _from_text():
    namespace = {"__name__": "stolen"}
    exec((_checkout() / "solutions" / "two_layer_net.py").read_text(), namespace)
    return namespace


def _on_sys_path():
    sys.path.insert(0, str(_checkout()))
    importlib.invalidate_caches()
    return importlib.import_module("solutions.two_layer_net")


def _in_sys_modules():
    for name, module in list(sys.modules.items()):
        if name in ("reference_solution", "backprop_lab_mistakes") or \
                str(getattr(module, "__file__", "")).endswith("solutions/two_layer_net.py"):
            return module
    return None


def _in_memory():
    for item in gc.get_objects():
        code = getattr(item, "__code__", None)
        if code is not None and code.co_filename.endswith("solutions/two_layer_net.py"):
            return item.__globals__
        if type(item).__name__ in ("LiveReference", "InProcessBridge"):
            return getattr(getattr(item, "bridge", item), "namespace", None)
    return None


def _live_reference():
    from grader.reference import LiveReference
    return LiveReference().bridge.namespace


for _name, _attempt in (("import solutions.two_layer_net", lambda: importlib.import_module("solutions.two_layer_net")),
                        ("checkout on sys.path", _on_sys_path), ("importlib from the file", _from_file),
                        ("read the file", _from_text), ("sys.modules", _in_sys_modules),
                        ("garbage collector", _in_memory), ("LiveReference", _live_reference)):
    try:
        _found = _attempt()
    except BaseException as _error:
        ATTEMPTS[_name] = f"failed: {type(_error).__name__}: {_error}"
        continue
    _namespace = _found if isinstance(_found, dict) else vars(_found) if _found is not None else {}
    if all(callable(_namespace.get(f)) for f in TODO):
        ATTEMPTS[_name] = "worked"
        _stolen = _namespace
        break
    ATTEMPTS[_name] = "found nothing"

if _stolen is not None:
    globals().update({f: _stolen[f] for f in TODO})


def sandbox_report():
    """Not part of the assignment: what each attempt did, for the kit's tests."""
    return ATTEMPTS
# END HOSTILE
