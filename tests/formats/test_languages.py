"""Every format writes in the language in use: Chinese reports say nothing in English but code, check
titles and the messages of grader/checks/ (translated with the checks); English reports read as
before; ids (CSV columns, JSON names, otter test names) are the same in both languages.

Reports are real ones: the in-process runner (what `backprop-lab check` runs) on the stub, a
submission with one bug, and the reference, run in the language the test speaks.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from rich.cells import cell_len

from grader import i18n
from grader.bridge import StudentCodeError, clip, not_implemented
from grader.bridge.isolated import _NoAnswer
from grader.checks import catalogue
from grader.formats import csv_table, github, gradescope, markdown, otter, status_note, terminal
from grader.formats.pytest_plugin import CheckFailed, CheckItem
from grader.results import CheckResult, Report
from grader.runner import check_file
from grader.status import Status
from grader.text import checks, points
from grader.values import describe
from tests.language import english_left
from tests.timing import scaled

PUBLIC = catalogue(include_hidden=False)


@pytest.fixture
def speak(monkeypatch):
    """speak("zh"): the language in use for the rest of the test (as --lang sets it)."""
    def use(language: str) -> None:
        monkeypatch.setattr(i18n, "_chosen", language)
    return use


def run(path: Path, language: str, speak) -> Report:
    speak(language)
    return check_file(path)


def without_titles(text: str, report: Report) -> str:
    """``text`` without the checks' titles and messages (grader/checks/ translates those, not the
    formats) and without HTML tags (``<details>``)."""
    text = re.sub(r"</?\w+>", " ", text)
    for result in sorted(report.results, key=lambda r: -len(r.shown)):
        text = text.replace(result.shown, " ").replace(result.shown.split(": ", 1)[-1], " ")
        for line in result.output.splitlines():
            text = text.replace(line.strip(), " ") if not_implemented(result.output) is None else text
    return text


# ------------------------------------------------------------------ the terminal report


def test_the_stub_s_report_is_all_chinese(stub_file, speak):
    text = terminal.render(run(stub_file, "zh", speak), width=100)
    assert english_left(text) == [], text
    lines = text.splitlines()
    assert lines[0] == f"backprop-lab 检查：{stub_file}"
    assert "forward_propagation  (0/11)  尚未实现：4 项检查" in lines
    assert "训练  (0/20)  需要 initialize_parameters，它尚未实现：2 项检查" in lines
    assert lines[-1] == "通过 0/28 项检查。得分：0/85。"


def test_the_stub_s_report_in_english_is_unchanged(stub_file, speak):
    text = terminal.render(run(stub_file, "en", speak), width=100)
    lines = text.splitlines()
    assert lines[0] == f"backprop-lab check: {stub_file}"
    assert "forward_propagation  (0/11)  not implemented yet: 4 checks" in lines
    assert "training  (0/20)  needs initialize_parameters, not implemented yet: 2 checks" in lines
    assert "(not implemented yet: the function still raises NotImplementedError)" in lines
    assert lines[-1] == "0/28 checks passed. Points: 0/85."


def test_pass_and_fail_are_chinese_words_in_the_same_columns(examples_dir, speak):
    report = run(examples_dir / "bug_update_plus.py", "zh", speak)
    text = terminal.render(report, width=1000)  # no title is wrapped: each can be set aside whole
    assert "PASS" not in text and "FAIL" not in text
    marks = [line for line in text.splitlines() if line.startswith(("  通过", "  未通过"))]
    assert len(marks) == len(report.results)
    assert len({cell_len(line[:line.index("/")]) for line in marks}) == 1  # the points line up on screen
    assert english_left(without_titles(text, report)) == [], without_titles(text, report)
    english = terminal.render(run(examples_dir / "bug_update_plus.py", "en", speak), width=100)
    assert "  PASS   3/3  structure, one output" in english.splitlines()
    assert any(line.startswith("  FAIL   0/3  values on n_in 2") for line in english.splitlines())


def test_a_check_under_its_group_is_not_prefixed_with_the_group_again(reference_file, speak):
    """Under the heading 训练 the training checks read "在月亮数据……", not "训练: 在月亮数据……"
    (as the English reads "training" then "trained parameters ..."), in both languages."""
    for language, group in (("zh", "训练"), ("en", "training")):
        report = run(reference_file, language, speak)
        lines = terminal.render(report, width=1000).splitlines()
        start = next(n for n, line in enumerate(lines) if line.startswith(f"{group}  ("))
        titles = lines[start + 1:start + 3]
        assert len(titles) == 2 and all(line.startswith("  ") for line in titles), lines[start:]
        assert not any(f"{group}: " in line for line in titles), titles
        assert not any(f"{r.function}: " in line for r in report.results for line in lines), lines


# A space Chinese never has: after a full-width stop or comma, before a full-width mark, between two
# characters (code in backticks aside; "）(0 / 3)" after a title is the format's own layout).
STRAY_SPACE = re.compile(r"[。，；：] | [。，；：（）]|[\u4e00-\u9fff] [\u4e00-\u9fff]")


def stray_spaces(text: str) -> list[str]:
    return [text[max(found.start() - 12, 0):found.end() + 12]
            for found in STRAY_SPACE.finditer(re.sub(r"`[^`]*`", "``", text))]


def test_messages_joined_from_parts_read_as_chinese_without_stray_spaces(examples_dir, speak):
    """A message and its hint, or a value described at a sentence's start, joined by a space in
    English ("...（种子 0）。 你的数值与..."), read without it in Chinese, in every format."""
    for example in ("bug_update_plus.py", "bug_cost_sum_not_mean.py", "bug_batches_partial_last.py"):
        report = run(examples_dir / example, "zh", speak)
        assert any(not r.passed and "。" in r.output.rstrip("。") for r in report.results)  # messages joined
        for text in (terminal.render(report, width=1000), markdown.render(report), github.render(report),
                     *(r.output for r in report.results)):
            assert stray_spaces(text) == [], stray_spaces(text)


def test_prints_are_announced_in_chinese_with_the_count_of_cut_lines(reference_file, tmp_path, speak):
    from tests.formats.test_terminal import prints_in_backward

    path = prints_in_backward(reference_file, tmp_path)
    speak("zh")
    report = check_file(path, functions=["backward_propagation"])
    text = terminal.render(report, width=100)
    assert "backward_propagation 打印了 90 行，下面是前 20 行（截去 70 行；--show-output 显示全部）：" in text
    speak("en")
    text = terminal.render(report, width=100)
    assert "backward_propagation printed 90 lines, the first 20 below (70 cut; --show-output shows all):" in text
    one = replace(report, printed={"backward_propagation": "one line\n"})
    assert "backward_propagation printed 1 line:" in terminal.render(one, width=100)


def test_nothing_is_translated_once_and_kept(stub_file, speak):
    """A report rendered in English after one in Chinese is English: no module keeps a translation."""
    report = run(stub_file, "en", speak)
    speak("zh")
    chinese = terminal.render(report)
    speak("en")
    english = terminal.render(report)
    assert "得分" in chinese and "Points:" in english and "得分" not in english
    assert "训练" in chinese and "训练" not in english


# ------------------------------------------------------------------ titles and ids


def titled_report() -> Report:
    """A failing and a passing check with Chinese titles, as grader/checks/ builds them under zh."""
    return Report("student_1", [
        CheckResult("forward_propagation: values on X (5, 2)", "forward_propagation", 3, False,
                    "A2：相对误差 2.0e-01 > 1e-07", title="forward_propagation: 在 X (5, 2) 上的数值"),
        CheckResult("compute_cost: values on A2, Y (500, 1)", "compute_cost", 2, True, "通过", hidden=True,
                    title="compute_cost: 在 A2, Y (500, 1) 上的数值"),
    ], status=Status.TIMEOUT)


def test_a_student_reads_titles_and_a_program_reads_names(speak):
    speak("zh")
    report = titled_report()
    for text in (terminal.render(report), markdown.render(report), github.render(report)):
        assert "在 X (5, 2) 上的数值" in text and "values on" not in text
        assert english_left(re.sub(r"</?\w+>", " ", text)) == [], text
    results = gradescope.to_dict(report)
    assert [test["name"] for test in results["tests"]] == [r.name for r in report.results]
    assert results["tests"][0]["output"].startswith("forward_propagation: 在 X (5, 2) 上的数值\n")
    assert english_left(results["output"]) == [] and results["output"].startswith("状态：`timeout`：")
    assert otter.failure_message(report.results[0], report).startswith("forward_propagation: 在 X (5, 2) 上的数值\n")


def test_csv_and_json_ids_are_the_same_in_both_languages(examples_dir, speak):
    written = {}
    for language in ("en", "zh"):
        report = run(examples_dir / "bug_update_plus.py", language, speak)
        report.status = Status.CRASHED
        table = list(csv.reader(io.StringIO(csv_table.render([report]))))
        names = [test["name"] for test in gradescope.to_dict(report)["tests"]]
        written[language] = (table, names, [r.name for r in report.results], list(otter.test_files()))
    assert written["en"] == written["zh"]
    assert written["zh"][0][1][3] == "crashed"  # the status column keeps its id


# ------------------------------------------------------------------ the other formats in Chinese


def test_feedback_markdown_in_chinese(stub_file, speak):
    report = run(stub_file, "zh", speak)
    report = replace(report, status=Status.DEADLINE,
                     results=[replace(r, hidden=True) if r.function == "training" else r for r in report.results])
    events = [_NoAnswer("timeout", "", 10).event("model"), _NoAnswer("timeout", "", 10).event("model"),
              _NoAnswer("crashed", "它被强制终止").event("compute_cost")]
    text = markdown.render(report, events, output="x" * 5000)
    left = english_left(without_titles(text, report))
    assert left == [], left
    assert "## 需要修正的公开检查" in text and "## 隐藏检查" in text and "（2 次）" in text
    assert "状态：**`deadline`**：" in text
    assert "[……省略 3000 个字符……]" in text
    speak("en")
    english = markdown.render(report, events, output="x" * 5000)
    assert "## Public checks to fix" in english and "## Hidden checks" in english
    assert "0 of 2 hidden checks passed." in english and "26 of 26 public checks failed." in english
    assert "[... 3000 characters not shown ...]" in english


def test_github_summary_in_chinese(stub_file, speak):
    report = run(stub_file, "zh", speak)
    text = github.render(report)
    assert english_left(without_titles(text, report)) == [], without_titles(text, report)
    assert "<summary>28 项检查未通过：发现的问题</summary>" in text
    assert "| ❌ | 训练 | 0/20 | 0/2 |" in text
    assert english_left(github.render_error("two_layer_net.py", "文件不存在")) == []


def test_gradescope_outputs_in_chinese(stub_file, speak):
    report = run(stub_file, "zh", speak)
    report.status = Status.GRADER_ERROR
    results = gradescope.to_dict(report)
    for test in results["tests"]:
        assert english_left(without_titles(test["output"], report)) == [], test["output"]
    assert english_left(results["output"]) == []
    json.dumps(results, ensure_ascii=False)


def test_every_status_speaks_chinese(speak):
    speak("zh")
    for status in Status:
        assert english_left(status.for_student) == [] and english_left(status.for_instructor) == []
        if status != Status.OK:
            assert english_left(status_note(Report("a", status=status))) == []


# ------------------------------------------------------------------ counts and the bridge's words


@pytest.mark.parametrize(("language", "expected"), [
    ("en", ["1 point", "2 points", "0.5 points", "1 check", "3 checks"]),
    ("zh", ["1 分", "2 分", "0.5 分", "1 项检查", "3 项检查"]),
])
def test_counts_agree_in_both_languages(speak, language, expected):
    speak(language)
    assert [points(1), points(2.0), points(0.5), checks(1), checks(3)] == expected


def test_every_explanation_of_a_failed_call_speaks_chinese(speak):
    speak("zh")
    for kind, detail in [("not_implemented", ""), ("missing", ""), ("timeout", "10 s"), ("crashed", "SIGKILL"),
                         ("output", "ValueError"), ("exception", "ValueError: shapes (5,2) and (4,3) not aligned")]:
        explained = StudentCodeError(kind, "forward_propagation", detail).explain()
        assert english_left(explained.replace(detail, "")) == [], explained
    assert english_left(clip("1" * 50, 10)) == []
    assert english_left(_NoAnswer("timeout", "", 3).during_import(Path("two_layer_net.py"))) == []


def test_not_implemented_is_recognised_in_either_language(speak):
    speak("zh")
    chinese = StudentCodeError("not_implemented", "compute_cost").explain()
    speak("en")
    english = StudentCodeError("not_implemented", "compute_cost").explain()
    assert english == "compute_cost is not implemented yet (it raises NotImplementedError)."
    speak("zh")
    assert not_implemented(chinese) == not_implemented(english) == "compute_cost"
    assert not_implemented("compute_cost raised ValueError: x") is None


@pytest.mark.parametrize(("value", "english"), [
    ({"W1": 1, "b1": 2}, "dict with keys W1, b1"), ({}, "dict with keys (none)"), ([1, 2, 3], "list of length 3"),
])
def test_describe_in_both_languages(speak, value, english):
    import numpy as np

    speak("en")
    assert describe(value) == english and describe(np.zeros((2, 3))) == "array of shape (2, 3) (float64)"
    speak("zh")
    assert english_left(describe(value)) == [] and english_left(describe(np.zeros((2, 3)))) == []


def test_a_file_that_does_not_parse_says_so_in_chinese(tmp_path, speak):
    from grader.bridge import SubmissionLoadError

    path = tmp_path / "two_layer_net.py"
    path.write_text("def f(x:\n    pass\n", encoding="utf-8")
    speak("zh")
    with pytest.raises(SubmissionLoadError) as error:
        check_file(path)
    assert str(error.value) == f"{path} 无法解析：第 1 行：`'(' was never closed`"


def test_a_pytest_item_fails_in_chinese(speak):
    speak("zh")
    report = Report("alice", [CheckResult("compute_cost: leaves A2 and Y unchanged", "compute_cost", 1, False,
                                          "A2 被修改了")])
    parent = type("Parent", (), {"report": lambda self: report, "printed_by": lambda self, item: ""})()
    item = type("Item", (), {"results": lambda self: report.results, "check_names": [report.results[0].name],
                             "examined": "compute_cost", "parent": parent})()
    with pytest.raises(CheckFailed) as failed:
        CheckItem.runtest(item)
    assert str(failed.value) == "A2 被修改了\n(1 分)"


# ------------------------------------------------------------------ pytest, as a student runs it


def pytest_in(folder: Path, *args: str, language: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"} | {i18n.ENVIRONMENT: language}
    return subprocess.run([sys.executable, "-m", "pytest", str(folder), "-p", "no:cacheprovider", *args],
                          cwd=folder, capture_output=True, text=True, env=env, timeout=scaled(300))


def ours(output: str) -> str:
    """pytest's output without pytest's own words (its session header, separators and tallies)."""
    kept = []
    for line in output.splitlines():
        stripped = line.strip("=_ ")
        if (line.startswith(("platform ", "rootdir:", "plugins:", "benchmark:", "configfile:", "collected ",
                             "cachedir:", "time bounds", "FAILED ", "ERROR "))
                or stripped in ("FAILURES", "ERRORS", "short test summary info", "test session starts")
                or stripped.startswith(("ERROR collecting", "Interrupted:")) or " failed" in stripped
                or " error" in stripped or stripped.endswith("%]")):
            continue
        kept.append(line)
    return "\n".join(kept)


def test_pytest_on_the_stub_reports_in_chinese(repo_root):
    done = pytest_in(repo_root / "student", "-k", "forward_propagation or training", language="zh")
    assert "forward_propagation 尚未实现（它抛出 NotImplementedError）：4 项检查，11 分" in done.stdout, done.stdout
    assert english_left(without_titles(ours(done.stdout), Report("", [c.result(False, "") for c in PUBLIC]))) == [], \
        done.stdout
    english = pytest_in(repo_root / "student", "-k", "forward_propagation", language="en")
    assert "forward_propagation is not implemented yet (it raises NotImplementedError): 4 checks, 11 points" in \
        english.stdout


def test_a_file_that_does_not_parse_is_one_chinese_line_under_pytest(tmp_path, repo_root):
    (tmp_path / "two_layer_net.py").write_text("import numpy as np\n\ndef f(x:\n    pass\n", encoding="utf-8")
    shutil.copy(repo_root / "student" / "conftest.py", tmp_path / "conftest.py")
    done = pytest_in(tmp_path, language="zh")
    assert done.returncode == 2, done.stdout
    assert "two_layer_net.py 无法解析：第 3 行：`'(' was never closed`" in done.stdout.splitlines()
    assert "Traceback" not in done.stdout and len(done.stdout.splitlines()) < 20

