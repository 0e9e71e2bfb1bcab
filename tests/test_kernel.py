"""The notebook's check and training cells (grader.kernel), run here on a namespace as a kernel would hold it."""
from __future__ import annotations

import html
import re

import pytest

from grader import i18n
from grader.contract import TODO_FUNCTIONS, make_moons_split
from grader.formats import terminal
from grader.handout import reference_test_accuracy
from grader.kernel import check, show_training
from grader.runner import check_file
from tests.release.release_support import EXAMPLES


def namespace_of(path) -> dict:
    """The globals a kernel holds after running the file's code in its cells."""
    namespace: dict = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return namespace


@pytest.fixture(autouse=True)
def english():
    with i18n.speaking("en"):
        yield


def test_a_check_cell_on_the_stub_shows_the_cli_s_report_and_never_raises():
    shown = check("forward_propagation", namespace=namespace_of(EXAMPLES / "stub.py"))
    cli = check_file(EXAMPLES / "stub.py", functions=["forward_propagation"])
    cli.submission = "notebook"
    expected = terminal.render(cli, " Only the checks of forward_propagation ran.")
    assert repr(shown) == expected
    assert "not implemented yet" in repr(shown)


def test_the_html_report_has_the_same_lines_in_colour():
    shown = check("compute_cost", namespace=namespace_of(EXAMPLES / "bug_cost_sum_not_mean.py"))
    page = shown._repr_html_()
    assert page.startswith("<pre") and "color: #800000" in page  # FAIL in red, as on a terminal
    words = html.unescape(re.sub(r"<[^>]+>", "", page)).split()
    assert words == repr(shown).split()  # the same report, wrapped at another width
    assert "FAIL" in words


def test_every_public_check_passes_on_the_reference_and_a_raising_function_is_reported_not_raised():
    namespace = namespace_of(EXAMPLES / "reference.py")
    everything = repr(check(namespace=namespace))
    assert "28/28 checks passed" in everything and "hidden checks" in everything

    def broken(X, parameters):
        raise KeyError("W3")

    namespace["forward_propagation"] = broken
    shown = repr(check("forward_propagation", namespace=namespace))
    assert "FAIL" in shown and "KeyError" in shown


def test_a_check_cell_uses_the_globals_of_the_cell_that_calls_it():
    namespace = namespace_of(EXAMPLES / "reference.py")
    namespace["check"] = check
    exec('shown = check("batch_generator")', namespace)
    assert "5/5 checks passed" in repr(namespace["shown"])


def test_a_misspelt_function_is_said_not_raised():
    assert "choose one of" in repr(check("forward", namespace={}))


def test_the_chinese_report_speaks_chinese():
    with i18n.speaking("zh"):
        shown = repr(check(namespace=namespace_of(EXAMPLES / "stub.py")))
    assert "尚未实现" in shown
    assert all(function in shown for function in TODO_FUNCTIONS)


def test_the_training_cell_reaches_the_reference_accuracy_and_writes_the_plots(tmp_path, capsys):
    data = make_moons_split(42)
    parameters = show_training(data.X_train, data.Y_train, data.X_test, data.Y_test,
                               namespace=namespace_of(EXAMPLES / "reference.py"), plots_dir=tmp_path)
    assert set(parameters) == {"W1", "b1", "W2", "b2"}
    assert f"test accuracy:  {reference_test_accuracy():.3f}" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["decision_boundary.png", "label_histogram.png",
                                                             "loss_curve.png"]


def test_the_training_cell_on_the_stub_prints_what_to_do_instead_of_raising(tmp_path, capsys):
    data = make_moons_split(42)
    assert show_training(data.X_train, data.Y_train, data.X_test, data.Y_test,
                         namespace=namespace_of(EXAMPLES / "stub.py"), plots_dir=tmp_path) is None
    assert "NotImplementedError" in capsys.readouterr().out
