"""The frame protocol between the grading process and a worker, both directions in one place.

A frame is an 8-byte little-endian length (``HEADER``), then that many bytes of payload
(a ``grader.values`` encoding: plain data, arrays without pickle; encoding and decoding the
payload is the caller's). Requests go to the worker, replies come back, one frame each.

- ``MAX_FRAME``: the most bytes one reply may hold; a header that announces more is refused
  before anything else is read (``FrameTooLarge``).
- Worker side, blocking pipes: ``write_frame`` and ``read_frame`` (child.py).
- Grading side, non-blocking pipes: ``FrameWriter`` and ``FrameReader`` move a frame one
  ``os.write`` or ``os.read`` at a time, so that the caller (``isolated._Child``) can wait
  for the pipe between steps while it drains the worker's output, hears its keeper and
  watches the deadline. A reader never reads past the end of its frame.

Nothing here imports student code or other grader modules: the worker keeps using these
functions after it has dropped every ``grader`` module (child.py ``_forget_kit``).
"""
from __future__ import annotations

import os
import struct

HEADER = struct.Struct("<Q")
MAX_FRAME = 64 << 20  # bytes in one reply; real answers are a few kilobytes
CHUNK = 1 << 20  # the most bytes one read asks for


class FrameTooLarge(ValueError):
    """A frame header announced more than ``MAX_FRAME`` bytes; the message says so in plain words."""

    def __init__(self, size: int):
        super().__init__(f"it sent a reply of {size / 2**20:.0f} MB; at most {MAX_FRAME >> 20} MB are read")
        self.size = size


def frame(payload: bytes) -> bytes:
    """``payload`` with its length header in front."""
    return HEADER.pack(len(payload)) + payload


# ------------------------------------------------------------------ blocking: worker side


def write_frame(fd: int, payload: bytes) -> None:
    data = memoryview(frame(payload))
    while data:
        data = data[os.write(fd, data):]


def read_frame(fd: int) -> bytes | None:
    """The next frame's payload; None at end of file."""
    header = _read_exact(fd, HEADER.size)
    if header is None:
        return None
    return _read_exact(fd, HEADER.unpack(header)[0])


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks, missing = [], size
    while missing:
        chunk = os.read(fd, min(missing, CHUNK))
        if not chunk:
            return None
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


# ------------------------------------------------------------------ non-blocking: grading side


class FrameWriter:
    """One frame written to a non-blocking pipe, a step at a time."""

    def __init__(self, fd: int, payload: bytes):
        self.fd = fd
        self._rest = memoryview(frame(payload))

    @property
    def done(self) -> bool:
        return not self._rest

    def step(self) -> None:
        """One write of what is left (nothing when the pipe is full). Raises BrokenPipeError
        when nobody reads the pipe any more."""
        try:
            self._rest = self._rest[os.write(self.fd, self._rest):]
        except BlockingIOError:
            pass


class FrameReader:
    """One frame read from a non-blocking pipe, a step at a time, never past its end."""

    def __init__(self, fd: int):
        self.fd = fd
        self._size: int | None = None  # the payload's length, once the header is in
        self._chunks: list[bytes] = []
        self._missing = HEADER.size

    def step(self) -> bytes | None:
        """One read: the payload once the frame is complete, None while it is not (nothing to
        read yet included). Raises EOFError when the pipe ends first, FrameTooLarge when the
        header announces more than MAX_FRAME (before any of the payload is read)."""
        if self._missing:
            try:
                chunk = os.read(self.fd, min(self._missing, CHUNK))
            except BlockingIOError:
                return None
            if not chunk:
                raise EOFError("the pipe ended inside a frame")
            self._chunks.append(chunk)
            self._missing -= len(chunk)
            if self._missing:
                return None
        if self._size is None:  # the header is complete
            self._size = HEADER.unpack(b"".join(self._chunks))[0]
            if self._size > MAX_FRAME:
                raise FrameTooLarge(self._size)
            self._chunks, self._missing = [], self._size
            if self._missing:
                return None
        return b"".join(self._chunks)
