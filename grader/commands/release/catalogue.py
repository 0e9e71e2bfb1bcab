"""The student kit's message catalogue: the translations of the texts its own modules show, no more.

The repository's catalogue (``grader/locale/zh/LC_MESSAGES/backprop_lab.mo``) holds every text:
the hidden checks' names and messages and the instructors' commands' too. The kit gets a ``.mo``
with only the texts its shipped modules wrap (``_``, ``N_``, ``Message``, ``ngettext``, the
keywords ``.ci/catalogue`` extracts), and ``grader/locale/default`` naming the language it speaks
when the student gives none (``release --lang``). The leak guard scans the result like any file.
"""
from __future__ import annotations

import ast
import gettext
import struct
from collections.abc import Iterable
from pathlib import Path

from grader import i18n

KEYWORDS = {"_": 1, "N_": 1, "Message": 1, "ngettext": 2}  # name -> how many leading texts (ngettext: two)
Text = str | tuple[str, str]  # a text, or a (singular, plural) pair


def wrapped_texts(source: str) -> set[Text]:
    """The literal texts ``source`` wraps: ``_("a")`` -> "a", ``ngettext("a", "as", n)`` -> ("a", "as")."""
    found: set[Text] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        count = KEYWORDS.get(name, 0)
        texts = [a.value for a in node.args[:count] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if count and len(texts) == count:
            found.add(texts[0] if count == 1 else (texts[0], texts[1]))
    return found


def translations(mo: Path) -> dict:
    """The compiled catalogue's entries as gettext reads them ("" is the header; plural forms are
    keyed (singular, index))."""
    with open(mo, "rb") as file:
        return dict(gettext.GNUTranslations(file)._catalog)


def kit_entries(texts: Iterable[Text], catalogue: dict) -> dict[str, str]:
    """The .mo entries (msgid -> msgstr, plurals joined by NUL as the format wants) of ``texts``
    that ``catalogue`` translates, with its header."""
    entries = {"": catalogue.get("", "")}
    for text in texts:
        if isinstance(text, str):
            if text in catalogue:
                entries[text] = catalogue[text]
            continue
        singular, plural = text
        forms = [catalogue[(singular, index)] for index in range(10) if (singular, index) in catalogue]
        if forms:
            entries[f"{singular}\0{plural}"] = "\0".join(forms)
    return entries


def write_mo(entries: dict[str, str], path: Path) -> Path:
    """Write ``entries`` as a GNU .mo file (the format gettext reads: two sorted string tables)."""
    keys = sorted(entries)
    ids = [key.encode("utf-8") for key in keys]
    strs = [entries[key].encode("utf-8") for key in keys]
    header_size = 7 * 4
    tables = 2 * 8 * len(keys)
    offset = header_size + tables
    id_table, str_table, blob = [], [], b""
    for data, table in [*((d, id_table) for d in ids), *((d, str_table) for d in strs)]:
        table.append((len(data), offset + len(blob)))
        blob += data + b"\0"
    output = struct.pack("<7I", 0x950412DE, 0, len(keys), header_size, header_size + 8 * len(keys), 0, 0)
    output += b"".join(struct.pack("<2I", *entry) for entry in id_table + str_table) + blob
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(output)
    return path


def write_kit_locale(kit: Path, shipped: Iterable[Path], language: str,
                     locale_dir: Path = i18n.LOCALE_DIR) -> list[Path]:
    """kit/grader/locale/: each language's .mo cut down to the texts of the ``shipped`` module files,
    and ``default`` holding ``language``. Returns the files written."""
    texts: set[Text] = set()
    for module in shipped:
        texts |= wrapped_texts(Path(module).read_text(encoding="utf-8"))
    written = []
    for mo in sorted(locale_dir.glob(f"*/LC_MESSAGES/{i18n.DOMAIN}.mo")):
        target = kit / "grader" / "locale" / mo.relative_to(locale_dir)
        written.append(write_mo(kit_entries(texts, translations(mo)), target))
    default = kit / "grader" / "locale" / "default"
    default.write_text(f"{language}\n", encoding="utf-8")
    return [*written, default]
