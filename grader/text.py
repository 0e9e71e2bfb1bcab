"""Text that came from a file system or a submission, made safe to print and to write as UTF-8.

(One of the core modules: commands print names with it, formats write them, the collector
words its refusals with it.) Also the counts every report shows, "1 point" / "2 points" / "1 分",
in the language in use.

File names are str with surrogate escapes for bytes that are not UTF-8 (``os.fsdecode``), and
a student's messages may hold lone surrogates or control characters (a newline in a file name,
a terminal escape sequence). Writing either as UTF-8 raises; printing the second misleads.
"""
from __future__ import annotations

from grader.i18n import ngettext


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


def points(number: float) -> str:
    """"1 point", "0.5 points", "2 points" (floats as ``:g`` shows them: 1.0 reads "1"); "1 分" in Chinese."""
    return ngettext("{number} point", "{number} points", number)


def checks(number: int) -> str:
    """"1 check", "3 checks"; "3 项检查" in Chinese."""
    return ngettext("{number} check", "{number} checks", number)


def counted(number: float, noun: str, plural: str | None = None) -> str:
    """``number`` and ``noun``, agreeing, in English only: "1 submission", "2 submissions", "1 hidden check".

    For the instructor's lines; a text a student reads uses ``points``/``checks`` above or
    ``i18n.ngettext`` with the whole phrase, which the catalogue translates. Floats are shown as
    ``:g`` shows them; ``plural`` defaults to noun + "s".
    """
    shown = f"{number:g}" if isinstance(number, float) else str(number)
    return f"{shown} {noun if number == 1 else plural or noun + 's'}"
