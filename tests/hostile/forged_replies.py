# BUILT ON examples/submissions/reference.py

# BEGIN HOSTILE at the top
# Hostile submission: the reference, but on four public inputs it first writes a forged reply
# frame into its own reply pipe (an inherited file descriptor it finds by looking), built by
# hand in the bridge's format: forward_propagation on X (7, 3) answers a bare float where a
# (result, arguments) pair belongs; compute_cost on A2 (64, 1) a pair holding an opaque value
# and an array of strings; initialize_parameters for two output units a dict whose key is a
# number; batch_generator on X (64, 3) a frame header that claims 2**62 bytes.
# Expected: those four checks fail with status bad-reply (never grader-error); a fresh process
# serves the rest, which pass.
# END HOSTILE

# BEGIN HOSTILE after the imports
import fcntl
import json
import os
import stat
import struct


def _reply_pipe():
    """The worker's reply pipe: the one write-only pipe besides stdout and stderr."""
    for fd in range(3, 256):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode) and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
                return fd
        except OSError:
            pass
    raise RuntimeError("no reply pipe found")


def _forge(tree, arrays=(), claimed_size=None):
    """Write one frame: 8-byte length, then a 4-byte JSON header length, the header, the arrays' bytes."""
    specs = [[array.dtype.str, list(array.shape)] for array in arrays]
    header = json.dumps({"tree": tree, "arrays": specs}).encode()
    payload = b"".join([struct.pack("<I", len(header)), header, *(array.tobytes() for array in arrays)])
    os.write(_reply_pipe(), struct.pack("<Q", len(payload) if claimed_size is None else claimed_size) + payload)
# END HOSTILE

    # BEGIN HOSTILE at the start of initialize_parameters
    if output_dim == 2:
        _forge({"d": [["ok", {"d": [[{"i": "1"}, {"f": "1.0"}]]}]]})
    # END HOSTILE

    # BEGIN HOSTILE at the start of forward_propagation
    if X.shape == (7, 3):
        _forge({"d": [["ok", {"f": "1.5"}]]})
    # END HOSTILE

    # BEGIN HOSTILE at the start of compute_cost
    if A2.shape == (64, 1):
        _forge({"d": [["ok", {"t": [{"o": ["float", "0.5"]}, {"t": [{"a": 0}, {"a": 0}]}]}]]},
               [np.array(["not", "numbers"])])
    # END HOSTILE

    # BEGIN HOSTILE at the start of batch_generator
    if X.shape == (64, 3):
        _forge({"d": [["ok", None]]}, claimed_size=2**62)
    # END HOSTILE
