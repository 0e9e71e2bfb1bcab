# BUILT ON examples/submissions/bug_update_plus.py

# BEGIN HOSTILE at the top
# Hostile submission: update_parameters steps the wrong way, and at import the file replaces the
# grader's training routine with one that trains with a correct update and sends back no record
# of its steps (as if a step had changed the parameters' shapes), so that nothing can be replayed.
# Expected: exactly the points of the same bug without the replacement.
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

            def train(call, *args, _original=original, **kwargs):
                def patched(name, *a, **k):
                    return _correct_update(*a) if name == "update_parameters" else call(name, *a, **k)
                claim = _original(patched, *args, **kwargs)
                claim["trace"] = None
                return claim

            found["train"] = train


_replace_routines()
# END HOSTILE
