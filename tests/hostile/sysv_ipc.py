# BUILT ON examples/submissions/reference.py

# BEGIN HOSTILE at the top
# Hostile submission: the reference, but at import it makes a 512 MB SysV shared-memory
# segment (and plants code in it, for a colluding submission in a later run), a message
# queue, a semaphore set, a POSIX message queue and a POSIX shared-memory file in /dev/shm,
# all of which would outlive the grading run.
# Expected: full marks for itself; every one refused; no IPC object is left after the run.
# END HOSTILE

# BEGIN HOSTILE at the end
import ctypes as _ctypes
import os as _os

_IPC = {}


def _plant():
    libc = _ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = _ctypes.c_void_p
    create = 0o1000 | 0o666  # IPC_CREAT, readable and writable by anyone

    def outcome(result, name):
        _IPC[name] = "created" if result >= 0 else f"denied: {_os.strerror(_ctypes.get_errno())}"
        return result

    shm = outcome(libc.shmget(0x0BAC0001, _ctypes.c_size_t(512 << 20), create), "shared memory")
    if shm >= 0:
        address = libc.shmat(shm, None, 0)
        if address not in (None, _ctypes.c_void_p(-1).value):
            _ctypes.memmove(address, b"print('planted by an earlier submission')", 41)
            _IPC["shared memory"] = "created and planted"
    outcome(libc.msgget(0x0BAC0002, create), "message queue")
    outcome(libc.semget(0x0BAC0003, 1, create), "semaphores")
    try:
        libc.mq_open.restype = _ctypes.c_int
        outcome(libc.mq_open(b"/backprop-planted", _os.O_CREAT | _os.O_RDWR, 0o666, None), "POSIX message queue")
    except AttributeError:
        _IPC["POSIX message queue"] = "denied: no mq_open in this C library"
    try:
        with open("/dev/shm/backprop-planted", "w") as planted:
            planted.write("print('planted')\n")
        _IPC["POSIX shared memory"] = "created"
    except OSError as error:
        _IPC["POSIX shared memory"] = f"denied: {error}"
    print(f"hostile: IPC objects: {_IPC}", flush=True)


_plant()


def sandbox_report():
    """Not part of the assignment: what it could create, for the kit's tests."""
    return _IPC
# END HOSTILE
