# BUILT ON examples/submissions/stub.py

# BEGIN HOSTILE at the top
# Hostile submission: implements nothing itself; at import it walks the disk (the
# kit's checkout first, then /) for a two_layer_net.py containing "BEGIN SOLUTION"
# and, if it finds one, executes it and uses its functions.
# Expected: zero points; the child process cannot read the kit's checkout.
# END HOSTILE

# BEGIN HOSTILE at the end
import os
import sys
import time
from pathlib import Path

TODO = ("initialize_parameters", "forward_propagation", "compute_cost", "backward_propagation",
        "update_parameters", "batch_generator")
SEARCH = {"folders": 0, "unreadable": 0, "found": ""}


def _roots():
    roots = []
    if "grader" in sys.modules:
        roots += list(Path(sys.modules["grader"].__file__).resolve().parents)[:3]
    roots += [Path.cwd(), *list(Path.cwd().parents)[:2], Path(__file__).resolve().parents[1], Path("/")]
    return roots


def _search(seconds=1.0):
    deadline = time.monotonic() + seconds
    for root in _roots():
        for folder, subfolders, files in os.walk(root, onerror=lambda error: SEARCH.update(unreadable=SEARCH["unreadable"] + 1)):
            SEARCH["folders"] += 1
            subfolders[:] = [d for d in subfolders if not d.startswith(".") and d not in ("proc", "sys", "dev")]
            if time.monotonic() > deadline:
                return None
            if "two_layer_net.py" in files:
                path = os.path.join(folder, "two_layer_net.py")
                try:
                    text = Path(path).read_text()
                except OSError:
                    continue
                if "# BEGIN SOLUTION" in text:
                    SEARCH["found"] = path
                    return text
    return None


_text = _search()
if _text is not None:
    _namespace = {"__name__": "found_on_disk"}
    exec(_text, _namespace)
    globals().update({f: _namespace[f] for f in TODO})


def sandbox_report():
    """Not part of the assignment: what the search saw, for the kit's tests."""
    return SEARCH
# END HOSTILE
