"""Every student-facing text in the student's language: one gettext catalogue per language.

(One of the core modules: every layer words its messages with it.)

Texts are written in English in the code and wrapped in ``_()``; the Chinese ones live in
``grader/locale/zh/LC_MESSAGES/backprop_lab.po`` (the form translators' tools read), compiled to
the ``.mo`` next to it that the standard library's ``gettext`` loads (Babel, a development tool
only, extracts, updates and compiles them: docs/architecture.md). English needs no catalogue:
a message's English is its id.

    _("{what} should have shape {shape}; got {got}.", what=..., shape=..., got=...)

formats the translation with named fields (always: a literal brace is written ``{{``), so a
translation may put them in another order. ``N_`` marks a text that is translated later, where
it is shown (a constant, a hint kept in a table); ``Message`` keeps one with its fields, for a text
whose English is also an id (a check's name in CSV and JSON) and whose translation is shown.

The language: ``use(language)`` (the command line's ``--lang``), else ``BACKPROP_LAB_LANG``, else
the student kit's default (``grader/locale/default``, written by ``release --lang``: the course's
choice), else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, ``LANGUAGE``, else the system's:
zh* or Chinese is Chinese), else English.
"""
from __future__ import annotations

import contextlib
import gettext
import locale
import os
import re
import string
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("en", "zh")
DOMAIN = "backprop_lab"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_FILE = LOCALE_DIR / "default"  # the student kit's default language, one word
ENVIRONMENT = "BACKPROP_LAB_LANG"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")

_chosen: str | None = None  # set by use(); None: follow the environment


def normalise(name: str) -> str | None:
    """"zh", "zh_CN.UTF-8", "ZH-tw" -> "zh"; "en_US" -> "en"; anything else -> None."""
    base = name.strip().replace("-", "_").split(".")[0].split("_")[0].lower()
    return base if base in LANGUAGES else None


def from_environment() -> str:
    """The language when no --lang was given: BACKPROP_LAB_LANG, else the kit's default (an instructor's
    ``release --lang``, a choice made for this course), else the locale, else English."""
    requested = os.environ.get(ENVIRONMENT, "")
    if requested.strip():
        return normalise(requested) or "en"
    try:
        return normalise(DEFAULT_FILE.read_text(encoding="utf-8")) or "en"
    except OSError:
        pass
    for variable in LOCALE_VARIABLES:
        value = os.environ.get(variable, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return normalise(value.split(":")[0]) or "en"  # LANGUAGE may list several: the first counts
    return from_system_locale()


def from_system_locale() -> str:
    """The language of the system's locale where no variable names one (Windows names it in words:
    "Chinese (Simplified)_China")."""
    try:
        name = locale.getlocale()[0] or ""
    except ValueError:
        return "en"
    return "zh" if name.lower().startswith("chinese") else normalise(name) or "en"


def use(language: str | None) -> str:
    """Speak ``language`` ("en", "zh") from now on; None: follow the environment again. Returns the
    language in use. Raises ValueError for a language the kit does not have."""
    global _chosen
    if language is not None and normalise(language) is None:
        raise ValueError(f"no such language: {language!r}; choose from {', '.join(LANGUAGES)}")
    _chosen = None if language is None else normalise(language)
    return current()


@contextlib.contextmanager
def speaking(language: str | None) -> Iterator[str]:
    """``use(language)`` inside the block (None: no change), then what was chosen before again
    (a command run twice in one process, a plot drawn in English, a text read in both languages)."""
    global _chosen
    before = _chosen
    try:
        yield use(language) if language is not None else current()
    finally:
        _chosen = before


def current() -> str:
    """The language in use: "en" or "zh"."""
    return _chosen or from_environment()


@lru_cache(maxsize=None)
def _catalogue(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    try:
        return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])
    except OSError:  # a kit without its catalogue: English rather than nothing
        return gettext.NullTranslations()


def _(message: str, /, **fields: object) -> str:
    """``message`` in the language in use, its ``{fields}`` filled in."""
    return _catalogue(current()).gettext(message).format(**fields)


def ngettext(singular: str, plural: str, number: float, /, **fields: object) -> str:
    """The form of ``singular``/``plural`` that agrees with ``number`` (Chinese has one), filled in;
    ``{number}`` is the number as ``:g`` shows it."""
    shown = f"{number:g}" if isinstance(number, float) else str(number)
    count = number if isinstance(number, int) else (1 if number == 1 else 2)  # gettext counts in integers
    return _catalogue(current()).ngettext(singular, plural, count).format(number=shown, **fields)


def N_(message: str, /) -> str:
    """Mark ``message`` for the catalogue, untranslated: ``_(message)`` translates it where it is shown."""
    return message


class Message:
    """A message and its fields, kept untranslated: ``english`` is stable (an id), ``str()`` is the
    translation in the language in use when it is shown. A field may itself be a Message."""

    __slots__ = ("message", "fields")

    def __init__(self, message: str, /, **fields: object) -> None:
        self.message, self.fields = message, fields

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.message, self.fields) == (other.message, other.fields)

    def __hash__(self) -> int:
        return hash((self.message, tuple(sorted(self.fields))))

    def __repr__(self) -> str:
        return f"Message({self.english!r})"

    @property
    def english(self) -> str:
        return self.message.format(**{k: v.english if isinstance(v, Message) else v for k, v in self.fields.items()})

    def __str__(self) -> str:
        return _(self.message, **{k: str(v) if isinstance(v, Message) else v for k, v in self.fields.items()})


# Chinese is written without spaces: a space beside a full-width punctuation mark (。，；：（）) or
# between two characters is one that joining parts (a message and its hint, a field filled in at a
# sentence's start) left behind. Between a character and code ("的 W1", "（X (5, 2)") spaces stay.
_HAN = "\u2e80-\u2fff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u2018\u2019\u201c\u201d\u2026"
_MARKS = "\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_GAP = re.compile(rf"(`[^`\n]*`)|(?<=[{_MARKS}]) +|(?<=\S) +(?=[{_MARKS}])|(?<=[{_HAN}]) +(?=[{_HAN}])")


def tidy(text: str) -> str:
    """``text`` without the spaces that joining parts leaves in Chinese: after or before a full-width
    mark ("。 dW1" -> "。dW1"), between two characters ("代价 应为" -> "代价应为"). Code in backticks,
    newlines and indentation stay as they are, and so does English (it has no full-width marks)."""
    return _GAP.sub(lambda gap: gap.group(1) or "", text)


def placeholders(message: str) -> set[str]:
    """The names of the ``{fields}`` in ``message`` (literal ``{{`` braces are not fields)."""
    return {name.split(".")[0].split("[")[0] for _text, name, _spec, _conv in string.Formatter().parse(message)
            if name is not None}
