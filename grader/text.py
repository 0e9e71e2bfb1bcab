"""Text that came from a file system or a submission, made safe to print and to write as UTF-8.

(One of the core modules: commands print names with it, formats write them, the collector
words its refusals with it.)

File names are str with surrogate escapes for bytes that are not UTF-8 (``os.fsdecode``), and
a student's messages may hold lone surrogates or control characters (a newline in a file name,
a terminal escape sequence). Writing either as UTF-8 raises; printing the second misleads.
"""
from __future__ import annotations


def printable(text: str) -> str:
    """``text`` with undecodable bytes as ``\\xNN`` and other unprintable characters escaped."""
    try:
        raw = text.encode("utf-8", "surrogateescape")  # a file name's undecodable bytes, back as bytes
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte: shown as \udNNN
        raw = text.encode("utf-8", "backslashreplace")
    text = raw.decode("utf-8", "backslashreplace")
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def counted(number: float, noun: str, plural: str | None = None) -> str:
    """``number`` and ``noun``, agreeing: "1 point", "2 points", "0.5 points", "1 hidden check".

    Floats are shown as ``:g`` shows them (points: 1.0 reads "1"); ``plural`` defaults to noun + "s".
    """
    shown = f"{number:g}" if isinstance(number, float) else str(number)
    return f"{shown} {noun if number == 1 else plural or noun + 's'}"
