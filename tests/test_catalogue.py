"""The message catalogue: every text the code wraps for translation has its Chinese, with the same
{fields}; the .mo the kit loads is the .po compiled; a wrapped text is a plain string.

Run ``.ci/catalogue`` after adding or changing a text: it merges the new ones into the .po (to
translate) and compiles it.
"""
from __future__ import annotations

import ast
import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from grader import i18n

ROOT = Path(__file__).resolve().parents[1]
PO = i18n.LOCALE_DIR / "zh" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": (1,), "N_": (1,), "Message": (1,), "ngettext": (1, 2)}
SOURCES = [("grader/**.py", "python"), ("solutions/mistakes.py", "python")]


def extracted() -> dict[str, str]:
    """msgid (a singular for plural texts) -> where in the code it is."""
    found = {}
    for filename, line, message, _comments, _context in extract_from_dir(
            ROOT, SOURCES, keywords=KEYWORDS, comment_tags=()):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, f"{filename}:{line}")
    return found


def catalogue():
    with PO.open("rb") as po:
        return read_po(po, locale="zh")


def forms(message) -> list[str]:
    return list(message) if isinstance(message, (tuple, list)) else [message]


def test_every_text_in_the_code_has_its_chinese():
    zh = catalogue()
    missing = [f"{where}: {msgid!r}" for msgid, where in extracted().items()
               if zh.get(msgid) is None or zh.get(msgid).fuzzy
               or not all(form.strip() for form in forms(zh.get(msgid).string))]
    assert not missing, "texts without Chinese (run .ci/catalogue, then translate):\n" + "\n".join(missing)


def test_a_translation_has_the_same_fields_as_its_english():
    wrong = []
    for message in catalogue():
        if not message.id:
            continue
        english = set().union(*(i18n.placeholders(form) for form in forms(message.id)))
        for form in forms(message.string):
            if form and i18n.placeholders(form) != english:
                wrong.append(f"{forms(message.id)[0]!r}: {sorted(english)} but {form!r}: "
                             f"{sorted(i18n.placeholders(form))}")
    assert not wrong, "\n".join(wrong)


def test_no_translation_is_left_over_from_a_text_the_code_no_longer_has():
    in_code = set(extracted())
    stale = [forms(m.id)[0] for m in catalogue() if m.id and forms(m.id)[0] not in in_code]
    assert not stale, "run .ci/catalogue to drop: " + ", ".join(map(repr, stale))


def test_the_compiled_catalogue_is_the_po():
    compiled = io.BytesIO()
    write_mo(compiled, catalogue())
    compiled.seek(0)
    with MO.open("rb") as shipped:
        assert gettext.GNUTranslations(shipped)._catalog == gettext.GNUTranslations(compiled)._catalog, (
            "the .mo is not the .po compiled: run .ci/catalogue compile")


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_text_formats_in_both_languages(language, monkeypatch):
    monkeypatch.setattr(i18n, "_chosen", language)
    for msgid in extracted():
        fields = {name: "x" for name in i18n.placeholders(msgid)}
        assert i18n._(msgid, **fields)  # a stray brace would raise here


def wrapped_calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in KEYWORDS:
            yield node


def test_a_wrapped_text_is_a_plain_string():
    """An f-string or a variable inside _() cannot be in the catalogue: its text would stay English."""
    wrong = []
    for path in [*sorted((ROOT / "grader").rglob("*.py")), ROOT / "solutions" / "mistakes.py"]:
        for call in wrapped_calls(path):
            texts = call.args[: len(KEYWORDS[call.func.id])]
            if path.name != "i18n.py" and not all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                                  for a in texts):
                wrong.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert not wrong, "wrap plain strings, with {fields}: " + ", ".join(wrong)


# Words a Chinese text keeps as they are: units, option placeholders, systems and font names.
KEPT_AS_WRITTEN = {"GiB", "MB", "KB", "CPU", "FILE", "FUNCTION", "Linux", "Windows", "macOS", "sudo", "apt",
                   "install", "fonts", "SimHei", "Microsoft", "YaHei", "PingFang", "SC", "matplotlib", "py", "zip",
                   "ipynb"}


def test_every_translation_is_chinese():
    """No English sentence left in a msgstr (a translator's slip such as "每个 epoch"), fields aside."""
    from tests.language import english_left

    slips = []
    for message in catalogue():
        for form in forms(message.string) if message.id else []:
            text = re.sub(r"\{[^}]*\}|%\([a-z_]+\)[sr]", " ", form)
            words = [w for w in english_left(text) if w not in KEPT_AS_WRITTEN]
            if words:
                slips.append(f"{form!r}: {words}")
    assert not slips, "\n".join(slips)
