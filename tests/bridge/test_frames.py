"""The frame protocol: what the worker's blocking side writes, the grading side's non-blocking
reader reads, a step at a time and never past its frame; oversized headers and cut pipes refused."""
from __future__ import annotations

import os

import pytest

from grader.bridge.frames import HEADER, MAX_FRAME, FrameReader, FrameTooLarge, FrameWriter, read_frame, write_frame


@pytest.fixture
def pipe():
    read_end, write_end = os.pipe()
    yield read_end, write_end
    for fd in (read_end, write_end):
        try:
            os.close(fd)
        except OSError:
            pass


def read_all(reader: FrameReader, steps: int = 1000) -> bytes:
    for _ in range(steps):
        payload = reader.step()
        if payload is not None:
            return payload
    raise AssertionError("the frame never completed")


@pytest.mark.parametrize("payload", [b"", b"x", b"plain data" * 1000])
def test_blocking_writes_are_read_without_blocking_and_the_next_frame_is_left_alone(pipe, payload: bytes):
    read_end, write_end = pipe
    os.set_blocking(read_end, False)
    write_frame(write_end, payload)
    write_frame(write_end, b"next")
    assert read_all(FrameReader(read_end)) == payload
    assert read_all(FrameReader(read_end)) == b"next"


def test_a_frame_arriving_in_pieces_is_assembled(pipe):
    read_end, write_end = pipe
    os.set_blocking(read_end, False)
    data = HEADER.pack(5) + b"hello"
    reader = FrameReader(read_end)
    assert reader.step() is None  # nothing written yet
    for position in range(len(data)):
        assert reader.step() is None
        os.write(write_end, data[position:position + 1])
    assert read_all(reader) == b"hello"


def test_non_blocking_writes_are_read_by_the_blocking_side(pipe):
    read_end, write_end = pipe
    os.set_blocking(write_end, False)
    writer = FrameWriter(write_end, b"request")
    while not writer.done:
        writer.step()
    assert read_frame(read_end) == b"request"


def test_a_header_announcing_too_much_is_refused_before_the_payload_is_read(pipe):
    read_end, write_end = pipe
    os.set_blocking(read_end, False)
    os.write(write_end, HEADER.pack(2**62) + b"payload")
    with pytest.raises(FrameTooLarge, match=f"at most {MAX_FRAME >> 20} MB"):
        read_all(FrameReader(read_end))
    assert os.read(read_end, 100) == b"payload"


def test_a_pipe_cut_inside_a_frame_is_end_of_file(pipe):
    read_end, write_end = pipe
    os.set_blocking(read_end, False)
    os.write(write_end, HEADER.pack(10) + b"short")
    os.close(write_end)
    with pytest.raises(EOFError):
        read_all(FrameReader(read_end))
    assert read_frame(read_end) is None  # the blocking side: None at end of file


def test_writing_to_a_pipe_nobody_reads_is_a_broken_pipe(pipe):
    read_end, write_end = pipe
    os.close(read_end)
    with pytest.raises(BrokenPipeError):
        FrameWriter(write_end, b"request").step()
