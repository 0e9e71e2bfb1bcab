# BUILT ON examples/submissions/bug_update_plus.py

# BEGIN HOSTILE at the top
# Hostile submission: update_parameters steps the wrong way (+ instead of -), and at import the
# file finds the grader's training routine in its process and replaces it with one that uses a
# correct update, so that the loop's result looks like a correct training run.
# Expected: exactly the points of the same bug without the replacement: the grading side
# replays steps of the claimed run with the submission's own functions and finds them differ.
# END HOSTILE

# BEGIN HOSTILE at the end
import gc


def _correct_update(parameters, grads, learning_rate):
    return {k: parameters[k] - learning_rate * grads["d" + k] for k in ("W1", "b1", "W2", "b2")}


def _replace_routines():
    for found in gc.get_objects():
        if isinstance(found, dict) and callable(found.get("train")) and \
                getattr(found["train"], "__module__", "") == "grader.bridge.routines":
            original = found["train"]

            def train(call, *args, **kwargs):
                def patched(name, *a, **k):
                    return _correct_update(*a) if name == "update_parameters" else call(name, *a, **k)
                return original(patched, *args, **kwargs)

            found["train"] = train


_replace_routines()
# END HOSTILE
