"""The commands speak the language asked for: ``--lang`` before or after the command, else
BACKPROP_LAB_LANG; check's and train's own lines are Chinese under zh (``english_left`` finds no
English word in them) and English under en; a wrong language is one line and exit code 2."""
from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader import cli, i18n
from grader.i18n import ENVIRONMENT
from tests.language import english_left

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "submissions"
SUBMISSIONS = sorted(EXAMPLES.glob("*.py"))
HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Run:
    code: int
    out: str
    err: str


def run(*argv: str) -> Run:
    """``backprop-lab ARGV`` in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(argv))
        except SystemExit as exit_:  # argparse: --help, usage errors
            code = exit_.code
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture(autouse=True)
def no_language_chosen(monkeypatch):
    """Every test starts from English: nothing chosen, no variable, a C locale."""
    monkeypatch.setattr(i18n, "_chosen", None)
    monkeypatch.delenv(ENVIRONMENT, raising=False)
    for variable in i18n.LOCALE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


def closing_note(report: str) -> str:
    """What check adds after "Points: a/b." in its last paragraph (the hidden checks' note)."""
    last = " ".join(report.strip().split("\n\n")[-1].split())
    return re.split(r"Points: [\d.]+/[\d.]+\.", last)[-1].strip()


@pytest.mark.parametrize("where", ["before", "after"])
def test_lang_goes_before_or_after_the_command(where, stub_file):
    argv = ["--lang", "zh", "check", str(stub_file)] if where == "before" else ["check", str(stub_file), "--lang=zh"]
    result = run(*argv)
    assert result.code == 1
    note = closing_note(result.out)
    assert HAN.search(note) and not english_left(note), note


@pytest.mark.parametrize("submission", SUBMISSIONS, ids=lambda path: path.stem)
def test_check_speaks_the_variable_s_language_and_lang_en_overrides_it(submission, monkeypatch):
    monkeypatch.setenv(ENVIRONMENT, "zh")
    chinese = run("check", str(submission))
    note = closing_note(chinese.out)
    assert HAN.search(note) and not english_left(note), note
    english = run("check", "--lang", "en", str(submission))
    assert english.code == chinese.code  # the language changes the words, never the verdict
    assert closing_note(english.out).endswith("when your work is graded.")
    assert not HAN.search(english.out + english.err)


def test_check_s_closing_line_is_one_chinese_sentence_after_another_without_a_space(reference_file):
    last = run("--lang", "zh", "check", str(reference_file), "-k", "compute_cost").out.strip().splitlines()[-1]
    assert last == "通过 4/4 项检查。得分：9/9。只运行了 compute_cost 的检查。"


def test_an_unknown_language_is_one_line_and_exit_code_2():
    for argv in (["--lang", "fr", "check"], ["check", "--lang=klingon"], ["train", "--lang", ""]):
        result = run(*argv)
        assert result.code == 2, argv
        assert result.out == "" and len(result.err.strip().splitlines()) == 1, result.err
        assert "Traceback" not in result.err and "choose from en, zh" in result.err


def test_a_language_chosen_for_one_run_is_not_kept_for_the_next(stub_file):
    run("--lang", "zh", "check", str(stub_file))
    assert i18n.current() == "en"
    assert closing_note(run("check", str(stub_file)).out).endswith("when your work is graded.")


def test_check_s_and_train_s_help_are_chinese_where_they_are_ours():
    for command in ("check", "train"):
        text = run("--lang", "zh", command, "--help").out
        # the help column of each line with Chinese (options and their metavars are code)
        ours = [re.split(r"\s{2,}", line.strip())[-1] for line in text.splitlines()
                if HAN.search(line) and not line.startswith("用法：")]  # the usage line is a synopsis: code
        assert len(ours) >= 2, text
        metavars = {"FILE", "FUNCTION", "DIR"}  # the options' placeholders, shown in the usage line as they are
        assert not set(english_left("\n".join(ours))) - metavars, ours


def test_an_unknown_function_for_k_is_chinese_under_zh(stub_file):
    result = run("--lang", "zh", "check", "-k", "forward", str(stub_file))
    assert result.code == 2 and "没有这个函数" in result.err
    assert not english_left(result.err.split("可选")[0].replace("forward", "")), result.err  # then: function names


def test_a_wrong_path_is_a_chinese_error_line_under_zh(tmp_path):
    result = run("--lang", "zh", "train", str(tmp_path / "nowhere.py"), "--plots", str(tmp_path))
    assert result.code == 2 and result.err.startswith("错误：")


def test_train_speaks_chinese_under_zh(tmp_path, reference_file):
    result = run("--lang", "zh", "train", str(reference_file), "--plots", str(tmp_path / "plots"))
    assert result.code == 0, result.err
    lines = result.out.strip().splitlines()
    ours = [line for line in lines if not line.startswith("  ")]  # the plots' paths are paths
    assert any("准确率" in line for line in ours) and any("图" in line for line in ours)
    assert not english_left("\n".join(ours)), ours
    english = run("train", str(reference_file), "--plots", str(tmp_path / "en"))
    assert "test accuracy:" in english.out and not HAN.search(english.out)


def test_train_s_warnings_are_chinese_under_zh(tmp_path, reference_file):
    changed = tmp_path / "two_layer_net.py"
    changed.write_text(reference_file.read_text().replace("n_epochs: int = 100", "n_epochs: int = 3"))
    result = run("--lang", "zh", "train", str(changed), "--plots", str(tmp_path / "plots"))
    warning = next(line for line in result.err.splitlines() if line.startswith("警告"))
    assert "n_epochs=3" in warning and "100" in warning
    assert not english_left(warning), warning
    note = next(line for line in result.out.splitlines() if line.startswith("提示"))
    assert "n_epochs=3" in note and not english_left(note), note


def test_grade_passes_its_language_to_the_processes_it_starts(monkeypatch, tmp_path):
    """The workers are other processes: they learn the language from BACKPROP_LAB_LANG."""
    from grader.commands import grade

    seen = {}

    def fake_grade(paths, out, **settings):
        seen["child"] = subprocess.run([sys.executable, "-c", f"import os; print(os.environ['{ENVIRONMENT}'])"],
                                       capture_output=True, text=True).stdout.strip()
        seen["here"] = i18n.current()
        return 0

    monkeypatch.setattr(grade, "main", fake_grade)
    assert run("grade", str(tmp_path), "--out", str(tmp_path / "out"), "--lang", "zh").code == 0
    assert seen == {"child": "zh", "here": "zh"}
    assert ENVIRONMENT not in os.environ  # as it was before the run


def test_argparse_s_own_words_are_chinese_under_zh_and_english_again_after(stub_file):
    import argparse

    result = run("--lang", "zh", "check", "--bogus", str(stub_file))
    assert result.code == 2
    assert result.err.strip().splitlines()[-1] == "backprop-lab：错误：无法识别的参数：--bogus"
    assert run("--lang", "zh", "train", "--help").out.startswith("用法：backprop-lab train")
    assert argparse._("usage: ") == "usage: "  # argparse is itself again outside main
    english = run("check", "--bogus").err.strip().splitlines()[-1]
    assert english == "backprop-lab: error: unrecognized arguments: --bogus"
