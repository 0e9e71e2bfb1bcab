"""The committed fixtures are what `backprop-lab fixtures` would write today."""
from __future__ import annotations

import json

import numpy as np
import pytest

from grader import handout, recording, values
from grader.checks import catalogue
from grader.checks.judge import same_values
from grader.contract import MOONS_STATES, REPO_ROOT, SUBMISSION_FILE, load_moons, make_moons_split
from grader.reference import MANIFEST, PUBLIC_FIXTURE

# The reference is deterministic: a re-recording agrees to the last bits; 1e-12 only allows for
# another machine's floating point (equal implementations agree to ~1e-14: tests/checks/test_variants.py).
FRESH_TOL = 1e-12


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("fixtures") / "public_expected.bin"
    recording.record_expected(path)
    return values.load(path)


@pytest.fixture(scope="module")
def committed() -> dict:
    return values.load(PUBLIC_FIXTURE)


def test_public_fixture_has_the_probes_of_the_current_public_checks(recorded, committed):
    assert committed.keys() == recorded.keys()


def test_public_fixture_values_equal_a_fresh_recording(recorded, committed):
    stale = [key for key in recorded if not same_values(committed[key]["value"], recorded[key]["value"], FRESH_TOL)]
    assert stale == [], "run `backprop-lab fixtures`"


def test_public_fixture_mistake_observations_equal_a_fresh_recording(recorded, committed):
    for key, entry in recorded.items():
        assert committed[key]["mistakes"].keys() == entry["mistakes"].keys(), key
        for hint, observation in entry["mistakes"].items():
            assert same_values(committed[key]["mistakes"][hint], observation, FRESH_TOL), (key, hint)


def test_public_fixture_holds_no_hidden_probe(committed):
    public = catalogue(include_hidden=False)
    public_keys = {p.key for c in public for p in (c.probe, c.reference_probe, *c.probe.needs)}
    hidden_only = {c.reference_probe.key for c in catalogue(include_hidden=True) if c.hidden} - public_keys
    assert hidden_only, "the hidden checks should probe something the public ones do not"
    assert set(committed) <= public_keys
    assert not set(committed) & hidden_only


def test_manifest_counts_the_hidden_checks():
    hidden = [c for c in catalogue(include_hidden=True) if c.hidden]
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    assert manifest["hidden_checks"] == len(hidden)
    assert manifest["hidden_points"] == sum(c.points for c in hidden)


def test_manifest_is_what_a_fresh_recording_writes():
    assert json.loads(MANIFEST.read_text(encoding="utf-8")) == recording.manifest(), "run `backprop-lab fixtures`"


def test_manifest_records_the_stubs_given_functions_and_the_reference_accuracy():
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    stub = (REPO_ROOT / "student" / SUBMISSION_FILE).read_text(encoding="utf-8")
    assert manifest["given_functions"] == handout.function_sources(stub)
    assert set(manifest["given_functions"]) == set(handout.GIVEN_FUNCTIONS)
    assert "NotImplementedError" not in "".join(manifest["given_functions"].values())
    # measured independently of the kit (scikit-learn's make_moons, the reference): tests/commands/test_train.py
    assert manifest["reference_test_accuracy"] == 0.98


@pytest.mark.parametrize("random_state", MOONS_STATES)
def test_recorded_moons_equal_scikit_learns_split(random_state):
    stored, fresh = load_moons(random_state), make_moons_split(random_state)
    for name, shape in (("X_train", (800, 2)), ("Y_train", (800, 1)), ("X_test", (200, 2)), ("Y_test", (200, 1))):
        array = getattr(stored, name)
        assert array.shape == shape, name
        assert np.array_equal(array, getattr(fresh, name)), name
    assert set(np.unique(stored.Y_train)) == {0, 1}
