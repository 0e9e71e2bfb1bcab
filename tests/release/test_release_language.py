"""The release and the languages: the kit carries a catalogue cut down to its own texts and the
default language ``release --lang`` gave it; the leak guard watches for hidden texts in Chinese."""
from __future__ import annotations

import gettext
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader import i18n
from grader.commands import release
from grader.commands.release import catalogue, leak_guard, student_kit
from grader.commands.release.modules import closure
from tests.language import english_left
from tests.release.release_support import REPO_ROOT

HAN = re.compile(r"[\u4e00-\u9fff]")
HEADER = "Content-Type: text/plain; charset=utf-8\nPlural-Forms: nplurals=1; plural=0;\n"


def kit_python(kit: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """``python -m grader ARGS`` in the kit, no language in the environment but ``env``'s."""
    unset = {"PYTHONPATH", i18n.ENVIRONMENT, *i18n.LOCALE_VARIABLES}
    environment = {k: v for k, v in os.environ.items() if k not in unset} | {"PYTHONPATH": str(kit)} | env
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=kit, env=environment,
                          capture_output=True, text=True)


def read_mo(path: Path) -> dict:
    with open(path, "rb") as file:
        return dict(gettext.GNUTranslations(file)._catalog)


# -- the kit's catalogue

def test_wrapped_texts_are_the_literals_of_the_four_keywords():
    source = ('_("a {x}", x=1)\nN_("b")\ni18n._("c")\nMessage("d")\nngettext("e", "es", n)\n'
              '_(VARIABLE)\nprint("f")\nA2, _ = call()\n')
    assert catalogue.wrapped_texts(source) == {"a {x}", "b", "c", "d", ("e", "es")}


def test_a_written_mo_reads_back_with_plurals_and_only_the_texts_asked_for(tmp_path):
    full = {"": HEADER, "kept": "保留", "secret": "秘密", ("one", 0): "一个"}
    entries = catalogue.kit_entries({"kept", ("one", "ones"), "untranslated"}, full)
    path = catalogue.write_mo(entries, tmp_path / "x.mo")
    with open(path, "rb") as file:
        translations = gettext.GNUTranslations(file)
    assert translations.gettext("kept") == "保留" and translations.gettext("secret") == "secret"
    assert translations.ngettext("one", "ones", 5) == "一个"
    assert translations.gettext("untranslated") == "untranslated"


def test_the_kit_catalogue_holds_the_shipped_modules_texts_and_nothing_of_hidden_py(tmp_path):
    shipped = closure(REPO_ROOT).modules.values()
    written = catalogue.write_kit_locale(tmp_path, shipped, "zh", REPO_ROOT / "grader" / "locale")
    kit_ids = {key if isinstance(key, str) else key[0] for key in read_mo(written[0])} - {""}
    repository = {key if isinstance(key, str) else key[0] for key in read_mo(i18n.LOCALE_DIR / "zh" / "LC_MESSAGES"
                                                                          / "backprop_lab.mo")} - {""}
    assert "plots written:" in kit_ids and kit_ids <= repository
    hidden_only = catalogue.wrapped_texts((REPO_ROOT / "grader" / "checks" / "hidden.py").read_text()) - {
        text for module in shipped for text in catalogue.wrapped_texts(Path(module).read_text())}
    assert not {t if isinstance(t, str) else t[0] for t in hidden_only} & kit_ids
    assert (tmp_path / "grader" / "locale" / "default").read_text().strip() == "zh"


# -- the leak guard in Chinese

def test_chinese_is_read_one_character_at_a_time():
    assert leak_guard.normalize("偏置b1的梯度") == "偏 置 b1 的 梯 度"
    secrets = leak_guard.Secrets()
    secrets.add_line("x", "种子七的权重")  # 6 characters: as many tokens, a secret
    secrets.add_line("x", "形状")  # 2: too short to be one
    assert [s.text for s in secrets.items] == ["种子七的权重"]
    assert leak_guard.scan(iter([("a.mo", "…种子七的权重\0".encode())]), secrets)
    assert not leak_guard.scan(iter([("a.md", "种子七的偏置".encode())]), secrets)


@dataclass
class FakeCheck:
    name: str
    hidden: bool
    chinese: str

    @property
    def shown(self) -> str:
        return self.chinese if i18n.current() == "zh" else self.name


def fake_repository(root: Path, hidden_text: str, translation: str) -> Path:
    """A grader/ with a hidden.py wrapping ``hidden_text`` and a zh catalogue translating it."""
    (root / "grader" / "checks").mkdir(parents=True)
    (root / "grader" / "checks" / "hidden.py").write_text(f"_({hidden_text!r})\n")
    (root / "grader" / "cli.py").write_text('_("a public text")\n')
    catalogue.write_mo({"": HEADER, hidden_text: translation, "a public text": "一段公开的文字内容"},
                       root / "grader" / "locale" / "zh" / "LC_MESSAGES" / "backprop_lab.mo")
    return root


def test_hidden_check_names_and_hidden_py_texts_are_secrets_in_chinese(tmp_path, monkeypatch):
    root = fake_repository(tmp_path, "the weights of seed seven are wrong", "种子七的权重不对")
    checks = [FakeCheck("f: seed seven", True, "f：种子七的数据"), FakeCheck("f: public", False, "f：公开的数据")]
    monkeypatch.setattr(leak_guard, "catalogue", lambda include_hidden: checks)
    secrets = leak_guard.Secrets()
    leak_guard.translated_secrets(secrets, root)
    assert {(s.origin, s.text) for s in secrets.items} == {("hidden check name (zh)", "f：种子七的数据"),
                                                           ("hidden.py text (zh)", "种子七的权重不对")}
    kit_file = ("student/grader/locale/zh/LC_MESSAGES/backprop_lab.mo", "提示：种子七的权重不对。".encode())
    assert [leak.secret.text for leak in leak_guard.scan(iter([kit_file]), secrets)] == ["种子七的权重不对"]


# -- a Chinese release

@pytest.mark.slow
def test_a_chinese_release_is_clean_and_its_kit_speaks_chinese_unless_told_otherwise(tmp_path):
    out = tmp_path / "rel"
    assert release.main(out, skip_otter=True, language="zh") == 0
    kit = out / "student"
    assert (kit / "grader" / "locale" / "default").read_text().strip() == "zh"
    assert not list(kit.rglob("*.po"))  # the full catalogue, hidden texts included, stays home
    assert '"locale/default"' in (kit / "pyproject.toml").read_text()  # installed with the package too
    chinese = kit_python(kit, "check")
    note = " ".join(chinese.stdout.strip().split("\n\n")[-1].split()).split("Points:")[-1]
    assert chinese.returncode == 1 and HAN.search(note), chinese.stdout + chinese.stderr
    assert not english_left(re.sub(r"^ [\d/]+\. ", "", note)), note
    english = kit_python(kit, "check", BACKPROP_LAB_LANG="en")
    assert english.returncode == 1 and not HAN.search(english.stdout)
    assert "--lang" in kit_python(kit, "--lang", "en", "check", "--help").stdout


def test_the_english_release_kit_defaults_to_english(release_dir):
    assert (release_dir / "student" / "grader" / "locale" / "default").read_text().strip() == "en"
    assert (release_dir / "student" / "grader" / "locale" / "zh" / "LC_MESSAGES" / "backprop_lab.mo").is_file()


def test_the_kit_builder_takes_the_language(tmp_path):
    """student_kit.build passes the language on (the slow test above checks the whole release)."""
    kit = student_kit.build(tmp_path / "kit", REPO_ROOT, "zh")
    assert (kit / "grader" / "locale" / "default").read_text().strip() == "zh"
