"""The checks in both languages: the names stay the ids they were, the titles and messages are Chinese
under zh, and the language changes no score.

``check_names_88e651b.json`` is the list of every check name (public and hidden, in report order) as
main printed it at commit 88e651b, before titles became messages: names are ids in CSV and JSON, stored
grades and otter, so no change of wording or language may change one.

``check_names_issue12.json`` is that list after issue 12 replaced the three hidden 1000-sample, 100-epoch
moons runs (six checks, "... on moons-2 (1000 samples)") by shorter runs on other data (six checks with
new names, as the runs are new questions; their epochs were later halved, which changed the epochs in
those six names again): those six names are the only ones that changed, which
``test_only_the_hidden_training_names_changed_since_88e651b`` holds against the list of 88e651b.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from grader import i18n, runner
from grader.checks import backward, batches, catalogue, cost, forward, initialize, public, training
from grader.checks.base import Expected, Fail
from grader.checks.cases import PRACTICE, Draw
from grader.contract import SUBMISSION_FILE, heading
from grader.reference import LiveReference
from grader.values import Yielded
from grader.values import describe as describe_value
from tests.language import english_left
from tests.variants.build import assemble

HERE = Path(__file__).resolve().parent
NAMES_88E651B = json.loads((HERE / "check_names_88e651b.json").read_text(encoding="utf-8"))
NAMES = json.loads((HERE / "check_names_issue12.json").read_text(encoding="utf-8"))
ROOT = HERE.parents[1]
EXAMPLES = sorted((ROOT / "examples" / "submissions").glob("*.py"))
BUGGY = sorted((ROOT / "tests" / "variants" / "buggy").glob("*.py"))
SUBMISSIONS = [*EXAMPLES, *BUGGY]
DRAWS = {  # how the catalogue is built: the student kit, a grading run, otter's autograder
    "practice": lambda: catalogue(include_hidden=True),
    "grading": lambda: catalogue(include_hidden=True, draw=Draw.secret("grading", b"a course's secret")),
    "otter": lambda: catalogue(include_hidden=True, draw=PRACTICE,
                               hidden_draw=Draw.secret("otter", b"a course's secret")),
}


@pytest.fixture
def speak(monkeypatch):
    """speak(language): the kit speaks ``language`` as BACKPROP_LAB_LANG asks it to, for this test."""
    def choose(language: str) -> None:
        monkeypatch.setenv(i18n.ENVIRONMENT, language)
        monkeypatch.setattr(i18n, "_chosen", None)

    return choose


def title(shown: str) -> str:
    """The translated part of a shown name: what follows "<function>: " (the function is code)."""
    return shown.split(": ", 1)[1]


# ------------------------------------------------------------------ names and titles


def test_only_the_hidden_training_names_changed_since_88e651b():
    gone = [name for name in NAMES_88E651B if name not in NAMES]
    new = [name for name in NAMES if name not in NAMES_88E651B]
    assert len(gone) == len(new) == 6
    assert all(name.startswith("training: ") and " on moons-" in name for name in gone)
    assert all(name.startswith("training: ") for name in new)
    assert [name for name in NAMES_88E651B if name not in gone] == [name for name in NAMES if name not in new]
    public = {check.name for check in catalogue()}
    assert public <= set(NAMES_88E651B) and not public & set(new)


@pytest.mark.parametrize("draw", DRAWS)
@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_check_name_is_the_id_it_was_before_titles_were_translated(speak, language, draw):
    speak(language)
    assert [check.name for check in DRAWS[draw]()] == NAMES


@pytest.mark.parametrize("draw", DRAWS)
def test_every_check_title_is_chinese_under_zh(speak, draw):
    speak("zh")
    checks = DRAWS[draw]()
    for check in checks:
        assert check.shown.startswith(f"{heading(check.function)}: ")  # "训练: " for the training checks
        assert not english_left(title(check.shown)), check.shown
    assert len({check.shown for check in checks}) == len(checks), "two checks read alike in Chinese"


def test_every_check_title_reads_as_its_name_in_english(speak):
    speak("en")
    assert [check.shown for check in catalogue(include_hidden=True)] == NAMES


def test_a_title_is_translated_when_shown_not_when_the_catalogue_is_built(speak):
    speak("en")
    checks = catalogue(include_hidden=True)
    speak("zh")
    assert [check.name for check in checks] == NAMES
    assert all(not english_left(title(check.shown)) for check in checks)


# ------------------------------------------------------------------ the messages the checks word


def fails(judge, got, expected=None) -> str:
    with pytest.raises(Fail) as failure:
        judge(got, Expected(expected))
    return str(failure.value)


def chinese(text: str, *code: object) -> bool:
    """No English left in ``text`` but the words of ``code`` (values described in English by
    grader/values.py, which these modules do not word)."""
    allowed = {word for value in code for word in english_left(describe_value(value))}
    return not [word for word in english_left(text) if word not in allowed]


def forward_observation(case, *, X_change=0.0, drop_key=None, W1_change=0.0):
    X, params = forward.arguments(case)
    params = dict(params)
    if drop_key:
        params.pop(drop_key)
    if W1_change:
        params["W1"] = params["W1"] + W1_change
    return {"result": None, "args_after": (X + X_change, params)}


SCENARIOS = [
    "forward changes X", "forward drops a key", "forward changes W1", "forward changes nothing, computes nothing",
    "forward returns A2 apart from the cache", "forward returns no pair", "cost changes A2",
    "cost changes nothing, computes nothing", "batches returned, not yielded", "a batch is no pair",
    "a batch of the wrong shape", "one batch too many", "labels that are no rows", "rows no longer paired",
    "a sample twice", "never shuffled", "another order than the seed's", "biases that do not start at zero",
    "trained parameters that cannot be checked", "a settings line", "a backward that differentiates another loss",
]


def messages_of_the_checks() -> dict[str, tuple[str, tuple]]:
    """name -> (the message a judge of these modules words for a wrong observation, values described in it)."""
    small = public.FORWARD_SMALL
    reference = forward_observation(small)
    unchanged = forward.inputs_unchanged(small, 1).judge
    batch_case = public.BATCHES_100
    X, Y = batches.labelled_data(batch_case)
    pairs = [(X[i:i + 32], Y[i:i + 32]) for i in range(0, 96, 32)]  # in order, never shuffled
    structure = batches.structure(batch_case, 1).judge
    sampling = batches.sampling(batch_case, 1).judge
    seeded = batches.seeded(batch_case, 1).judge
    shifted = Yielded([(x, y) for x, y in pairs[1:] + pairs[:1]])
    bad_row = (pairs[0][0], pairs[0][1] + 0.5)
    cost_case = public.COST_SMALL
    A2 = np.full((5, 1), 0.5)
    cost_reference = {"result": 0.69, "args_after": (A2, np.ones((5, 1)))}
    init_case = public.INIT_ONE_OUTPUT
    shapes = {"W1": (2, 4), "b1": (1, 4), "W2": (4, 1), "b2": (1, 1)}
    with_bias = {k: np.ones(s) for k, s in shapes.items()}
    return {
        "forward changes X": (fails(unchanged, forward_observation(small, X_change=1.0), reference), ()),
        "forward drops a key": (fails(unchanged, forward_observation(small, drop_key="b2"), reference), ()),
        "forward changes W1": (fails(unchanged, forward_observation(small, W1_change=1.0), reference), ()),
        "forward changes nothing, computes nothing": (fails(unchanged, reference, {**reference, "result": None}),
                                                      ()),
        "forward returns A2 apart from the cache": (forward.parts({"result": (np.zeros((5, 1)), {
            "Z1": np.zeros((5, 4)), "A1": np.zeros((5, 4)), "Z2": np.zeros((5, 1)), "A2": np.ones((5, 1))})},
            small).problems["returned"], ()),
        "forward returns no pair": (forward.parts({"result": 3.0}, small).faults[""], (3.0,)),
        "cost changes A2": (fails(cost.inputs_unchanged(cost_case, 1).judge,
                                  {"result": 0.69, "args_after": (A2 + 1, np.ones((5, 1)))}, cost_reference), ()),
        "cost changes nothing, computes nothing": (fails(cost.inputs_unchanged(cost_case, 1).judge,
                                                         {**cost_reference, "result": 7.0}, cost_reference), ()),
        "batches returned, not yielded": (fails(structure, [1, 2]), ([1, 2],)),
        "a batch is no pair": (fails(structure, Yielded([3.0])), (3.0,)),
        "a batch of the wrong shape": (fails(structure, Yielded([(X[:31], Y[:31])])), ()),
        "one batch too many": (fails(structure, Yielded(pairs + [(X[:32], Y[:32])])), ()),
        "labels that are no rows": (fails(sampling, Yielded([bad_row] + pairs[1:])), ()),
        "rows no longer paired": (fails(sampling, Yielded([(pairs[1][0], pairs[0][1])] + pairs[1:])), ()),
        "a sample twice": (fails(sampling, Yielded([pairs[0], pairs[0], pairs[2]])), ()),
        "never shuffled": (fails(sampling, Yielded(pairs)), ()),
        "another order than the seed's": (fails(seeded, Yielded(pairs), shifted), ()),
        "biases that do not start at zero": (" ".join(initialize.parts(with_bias, init_case).problems.values()), ()),
        "trained parameters that cannot be checked": (fails(training.matches_reference(public.MOONS, 1).judge,
                                                            {"problem": _unverified()}), ()),
        "a settings line": (training.settings(public.MOONS), ()),
        "a backward that differentiates another loss": (_consistent_message(), ()),
    }


def _unverified() -> str:
    with pytest.raises(training.Unverified) as problem:
        training._read_claim({"trace": None}, training.EPOCHS)
    return str(problem.value)


def _consistent_message() -> str:
    """The consistency check when the student's loss is not the reference's and the backward pass on
    the reference cache is wrong too."""
    case = public.BACKWARD_SMALL
    shapes = {"d" + k: v for k, v in {"W1": (2, 4), "b1": (1, 4), "W2": (4, 1), "b2": (1, 1)}.items()}
    reference = {k: np.ones(s) for k, s in shapes.items()}
    got = {"grads": {k: 2 * v for k, v in reference.items()},  # another loss than the reference's
           "on_reference_cache": {k: -v for k, v in reference.items()}}  # and a wrong backward
    return fails(backward.consistent(case, 1).judge, got, {"grads": reference})


@pytest.fixture(scope="module")
def messages_zh():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(i18n, "_chosen", "zh")
        return messages_of_the_checks()


@pytest.fixture(scope="module")
def messages_en():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(i18n, "_chosen", "en")
        return messages_of_the_checks()


def test_every_scenario_gets_a_message_of_its_own(messages_en):
    assert list(messages_en) == SCENARIOS
    texts = [text for text, _code in messages_en.values()]
    assert all(texts) and len(set(texts)) == len(texts)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_message_the_checks_word_is_chinese_under_zh(messages_zh, messages_en, scenario):
    text, code = messages_zh[scenario]
    assert chinese(text, *code), text
    assert text != messages_en[scenario][0]


# ------------------------------------------------------------------ whole runs, en and zh


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    """judged(path, language) -> Report: `backprop-lab check --hidden` on the file, in ``language``
    (memoised; one reference for the module)."""
    live = LiveReference(ROOT / "solutions" / SUBMISSION_FILE)
    folder = tmp_path_factory.mktemp("assembled")
    reports = {}

    def run(path: Path, language: str):
        if (path, language) not in reports:
            submission = assemble(path, folder) if path.parent.name == "buggy" else path
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(runner, "LiveReference", lambda: live)
                patch.setattr(i18n, "_chosen", language)
                reports[path, language] = runner.check_file(submission, hidden=True)
        return reports[path, language]

    return run


def ids(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.mark.slow
@pytest.mark.parametrize("path", SUBMISSIONS, ids=ids)
def test_the_language_changes_no_score(judged, path):
    en, zh = judged(path, "en"), judged(path, "zh")
    assert [(r.name, r.passed, r.score) for r in zh.results] == [(r.name, r.passed, r.score) for r in en.results]
    assert (zh.score, zh.max_score, zh.status) == (en.score, en.max_score, en.status)


@pytest.mark.slow
@pytest.mark.parametrize("path", SUBMISSIONS, ids=ids)
def test_every_shown_title_is_chinese_under_zh(judged, path):
    report = judged(path, "zh")
    assert report.results
    for result in report.results:
        assert result.name in NAMES
        assert not english_left(title(result.shown)), result.shown


@pytest.mark.slow
@pytest.mark.parametrize("path", SUBMISSIONS, ids=ids)
def test_every_output_is_chinese_under_zh(judged, path):
    report = judged(path, "zh")
    left = {result.name: english_left(result.output) for result in report.results}
    assert not {name: words for name, words in left.items() if words}


def test_every_submission_is_judged_here():
    assert len(EXAMPLES) >= 6 and len(BUGGY) >= 18


@pytest.mark.parametrize("scenario, function", [("forward changes nothing, computes nothing", "forward_propagation"),
                                                ("cost changes nothing, computes nothing", "compute_cost")])
def test_inputs_left_alone_say_first_why_they_earn_nothing_yet(messages_en, messages_zh, scenario, function):
    """A FAIL beside "leaves ... unchanged" whose message begins "... are left as they were" reads as a
    contradiction: the message says first that nothing is counted yet, and names the values check (by
    the title the student reads) whose passing counts it."""
    values = {check.name: check for check in catalogue(include_hidden=False)
              if check.function == function and check.name.startswith(f"{function}: values on")}
    english, chinese = messages_en[scenario][0], messages_zh[scenario][0]
    assert english.startswith("Not counted yet: ") and "unchanged, as they should be" in english
    assert chinese.startswith("暂不计分：") and "没有被改动，这是对的" in chinese
    assert any(f'see the "{title(name)}" check' in english for name in values), english
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(i18n, "_chosen", "zh")
        assert any(f"见“{title(check.shown)}”那项检查" in chinese for check in values.values()), chinese
