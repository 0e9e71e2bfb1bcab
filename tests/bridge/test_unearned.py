"""No unearned point: what a motivated student can try against grading, graded as `grade` grades.

Every submission here is graded on the course's grading draw (public and hidden checks, the
way ``backprop-lab grade`` asks them) in an isolated worker, and compared with what it really
implements: the same bug without the trick, or the structure points only.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from grader import values
from grader.bridge.inprocess import InProcessBridge, load_submission
from grader.bridge.isolated import IsolatedBridge
from grader.checks import Check, Draw, catalogue
from grader.checks.cases import PRACTICE
from grader.reference import PUBLIC_FIXTURE, SECRET_ENV, SECRET_FILE, LiveReference
from grader.results import Report
from grader.runner import MAX_OUTPUT, run_checks
from tests.bridge.bridge_support import CALL_TIMEOUT
from tests.hostile.build import assemble

GRADING = Draw.secret("grading", b"test_unearned: a course secret")
STRUCTURE_WORDS = (": structure", ": returns a float", ": yields full batches")


@pytest.fixture(scope="module")
def grading_checks() -> list[Check]:
    return catalogue(include_hidden=True, draw=GRADING)


@pytest.fixture(scope="module")
def grading_reference(reference_file: Path, grading_checks: list[Check]) -> LiveReference:
    reference = LiveReference(reference_file)
    for check in grading_checks:
        reference.expected(check)
    return reference


@pytest.fixture
def grade_for_real(grading_checks, grading_reference, scratch_root):
    def grade(path: Path) -> Report:
        with IsolatedBridge(path, call_timeout=CALL_TIMEOUT) as bridge:
            return run_checks(bridge, grading_checks, lambda check: grading_reference, submission=path.parent.name)

    return grade


def structure_points(checks: list[Check]) -> float:
    return sum(c.points for c in checks if any(word in c.name for word in STRUCTURE_WORDS))


def test_a_replaced_training_loop_earns_exactly_what_the_bug_earns(grade_for_real, tmp_path, examples_dir):
    cheat = grade_for_real(assemble("replaces_training_loop", tmp_path))
    honest = grade_for_real(examples_dir / "bug_update_plus.py")
    assert cheat.points_by_function() == honest.points_by_function()
    assert cheat.points_by_function()["training"][0] == 0
    training = [r for r in cheat.results if r.function == "training"]
    assert all("could not be checked" in r.output and "on their own" in r.output for r in training)


def test_a_loop_that_sends_no_record_of_its_steps_earns_exactly_what_the_bug_earns(grade_for_real, tmp_path,
                                                                                   examples_dir):
    cheat = grade_for_real(assemble("claims_without_a_record", tmp_path))
    honest = grade_for_real(examples_dir / "bug_update_plus.py")
    assert cheat.points_by_function() == honest.points_by_function()
    training = [r for r in cheat.results if r.function == "training"]
    assert training and all("no record of its steps" in r.output for r in training)


def test_trained_parameters_brought_along_earn_exactly_what_the_bug_earns(grade_for_real, tmp_path, examples_dir):
    cheat = grade_for_real(assemble("brings_trained_parameters", tmp_path))
    honest = grade_for_real(examples_dir / "bug_update_plus.py")
    assert cheat.points_by_function() == honest.points_by_function()
    assert cheat.points_by_function()["training"][0] == 0


def test_zeros_of_the_right_shapes_earn_the_structure_points_only(grade_for_real, grading_checks, tmp_path):
    report = grade_for_real(assemble("zeros_of_the_right_shapes", tmp_path))
    earned = [r for r in report.results if r.passed]
    assert all(any(word in r.name for word in STRUCTURE_WORDS) for r in earned), [r.name for r in earned]
    assert report.score == structure_points(grading_checks) > 0


def lookup_table_source() -> str:
    """A submission that implements nothing: it answers every question with the student kit's
    practice answer of the same shapes (the best a table built from the public fixtures can do)."""
    record = values.load(PUBLIC_FIXTURE)
    answers: dict[str, list] = {}
    for key, entry in record.items():
        answers.setdefault(key.split("/")[0], []).append(entry["value"])
    return '''
import numpy as np
from grader_free_values import ANSWERS


def _same(shape_of, candidates):
    for candidate in candidates:
        if shape_of(candidate):
            return candidate
    return None


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def initialize_parameters(input_dim, hidden_dim, output_dim):
    found = _same(lambda v: isinstance(v, dict) and v["W1"].shape == (input_dim, hidden_dim)
                  and v["W2"].shape == (hidden_dim, output_dim), ANSWERS["initialize_parameters"])
    return found if found is not None else {"W1": np.zeros((input_dim, hidden_dim)), "b1": np.zeros((1, hidden_dim)),
                                             "W2": np.zeros((hidden_dim, output_dim)), "b2": np.zeros((1, output_dim))}


def forward_propagation(X, parameters):
    found = _same(lambda v: "result" in v and v["result"][0].shape == (X.shape[0], parameters["W2"].shape[1])
                  and v["result"][1]["Z1"].shape[1] == parameters["W1"].shape[1], ANSWERS["forward_propagation"])
    return tuple(found["result"]) if found else (np.zeros((X.shape[0], 1)), {})


def compute_cost(A2, Y):
    found = _same(lambda v: "result" in v and v["args_after"][0].shape == A2.shape, ANSWERS["compute_cost"])
    return float(found["result"]) if found else 0.0


def backward_propagation(parameters, cache, X, Y):
    found = _same(lambda v: "dW1" in v and v["dW1"].shape == parameters["W1"].shape, ANSWERS["backward_propagation"])
    return found or {"d" + k: np.zeros_like(v) for k, v in parameters.items()}


def update_parameters(parameters, grads, learning_rate=0.01):
    found = _same(lambda v: "W1" in v and v["W1"].shape == parameters["W1"].shape, ANSWERS["update_parameters"])
    return found or parameters


def batch_generator(X, Y, batch_size=32):
    found = _same(lambda v: len(v.items) == X.shape[0] // batch_size and v.items
                  and v.items[0][0].shape == (batch_size, X.shape[1]), ANSWERS["batch_generator"])
    yield from (found.items if found else ())
'''.replace("from grader_free_values import ANSWERS", "ANSWERS = " + _literal(answers))


def _literal(value) -> str:
    """Python source for plain data (arrays as np.array(...), Yielded as a small class)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_literal(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    if isinstance(value, values.Yielded):
        return f"type('Yielded', (), {{'items': {_literal(tuple(value.items))}}})()"
    if isinstance(value, np.ndarray):
        return f"np.array({value.tolist()!r})"
    return repr(value)


def test_a_lookup_table_of_the_practice_answers_earns_the_structure_points_at_most(grade_for_real, grading_checks,
                                                                                    tmp_path):
    path = tmp_path / "lookup" / "two_layer_net.py"
    path.parent.mkdir()
    path.write_text(lookup_table_source())
    practice = run_checks(InProcessBridge(load_submission(path)), catalogue(), lambda c: _recorded())
    assert practice.score >= 0.5 * practice.max_score  # the table does answer the practice questions
    report = grade_for_real(path)
    earned = [r.name for r in report.results if r.passed]
    assert all(any(word in name for word in STRUCTURE_WORDS) for name in earned), earned
    assert report.score <= structure_points(grading_checks)


def _recorded():
    from grader.reference import RecordedReference

    return RecordedReference()


def test_student_exception_texts_are_cut_in_every_message(grade_for_real, tmp_path):
    report = grade_for_real(assemble("long_exception_messages", tmp_path))
    failed = [r for r in report.results if not r.passed]
    assert any(r.function == "forward_propagation" for r in failed)
    assert all(len(r.output) <= MAX_OUTPUT + 40 for r in report.results)
    assert any("characters cut" in r.output for r in failed)


SEED_NUMBER = re.compile(r"seed[ (]*\d")


def test_check_names_carry_no_seed_and_grading_messages_no_reference_numbers(grade_for_real, examples_dir):
    assert not [c.name for c in catalogue(include_hidden=True) if SEED_NUMBER.search(c.name)]
    report = grade_for_real(examples_dir / "bug_backward_tanh_of_z1.py")
    assert not report.all_passed
    for result in report.results:
        shown = result.output.replace("np.random.seed(42)", "")  # the lab's own seed, not a drawn one
        assert "expected [" not in shown and not SEED_NUMBER.search(shown), result.output


def test_no_question_hands_over_the_answer_to_another(reference_file, grading_checks, grading_reference):
    """Every array the grader sends to a submission, compared with every answer a check expects
    (its inputs echoed back excluded): none is the other (training sends back the submission's own
    parameters, which are not the reference's to give away)."""
    sent: set[bytes] = set()

    class Recording(InProcessBridge):
        def call(self, function, *args, **options):
            _fingerprints(args, sent)
            return super().call(function, *args, **options)

        def call_each(self, calls, **options):
            _fingerprints([args for _, args, *_ in calls], sent)
            return super().call_each(calls, **options)

        def run(self, routine, **kwargs):
            _fingerprints(kwargs, sent)
            return super().run(routine, **kwargs)

    run_checks(Recording(load_submission(reference_file)), grading_checks, lambda c: grading_reference)
    answers: set[bytes] = set()
    for check in grading_checks:
        if check.function != "training":
            value = grading_reference.expected(check).value
            _fingerprints(value.get("result", value) if isinstance(value, dict) else value, answers)
    assert answers and not (answers & sent)


def _fingerprints(value, into: set[bytes]) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _fingerprints(item, into)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _fingerprints(item, into)
    elif isinstance(value, values.Yielded):
        _fingerprints(list(value.items), into)
    elif isinstance(value, np.ndarray) and value.size >= 2 and value.dtype.kind == "f":
        into.add(str(value.shape).encode() + np.round(value, 10).tobytes())


def test_no_grader_module_can_be_imported_by_the_submission(tmp_path, scratch_root):
    path = tmp_path / "two_layer_net.py"
    path.write_text("import sys\n\n\ndef probe():\n"
                    "    try:\n        import grader.values\n    except BaseException as error:\n"
                    "        return 'refused: ' + type(error).__name__\n"
                    "    return 'imported'\n\n\ndef loaded():\n"
                    "    return sorted(name for name in sys.modules if name.split('.')[0] == 'grader')\n")
    with IsolatedBridge(path, call_timeout=CALL_TIMEOUT) as bridge:
        assert bridge.call("loaded") == []
        assert bridge.call("probe").startswith("refused")


def test_practice_questions_are_not_the_grading_ones():
    practice = {c.probe.key: c for c in catalogue(include_hidden=True, draw=PRACTICE)}
    grading = {c.probe.key: c for c in catalogue(include_hidden=True, draw=GRADING)}
    assert not set(practice) & set(grading)


def test_the_course_secret_never_reaches_the_submission(tmp_path, scratch_root):
    """The secret decides every grading question: it is neither in the worker's environment nor
    readable where it lies (solutions/), even when the grader was given it as a variable."""
    assert os.environ.get(SECRET_ENV)  # tests/conftest.py sets the tests' own secret
    path = tmp_path / "two_layer_net.py"
    path.write_text("import os\n\n\ndef probe(where):\n"
                    "    try:\n        return open(where).read()\n    except OSError as error:\n"
                    "        return 'refused: ' + type(error).__name__\n\n\n"
                    "def environment():\n    return sorted(os.environ.items())\n")
    with IsolatedBridge(path, call_timeout=CALL_TIMEOUT) as bridge:
        environment = dict(bridge.call("environment"))
        assert SECRET_ENV not in environment
        assert os.environ[SECRET_ENV] not in " ".join(environment.values())
        assert bridge.call("probe", str(SECRET_FILE)).startswith("refused")
        # the folder it lies in is closed to the submission (the secret file itself may not exist here)
        assert bridge.call("probe", str(SECRET_FILE.parent / "two_layer_net.py")) == "refused: PermissionError"
