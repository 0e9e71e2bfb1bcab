"""grader.values: plain data, and its codec that never unpickles."""
from __future__ import annotations

import io
import itertools
import json
import pickle
import struct

import numpy as np
import pytest

from grader.values import MAX_ITEMS, Earlier, Opaque, PlainDataError, Yielded, decode, encode, plain_problem, to_plain

UNPICKLED: list[str] = []


def _note_unpickling() -> str:
    UNPICKLED.append("unpickled")
    return "payload"


class Payload:
    """An object whose unpickling leaves a trace."""

    def __reduce__(self):
        return (_note_unpickling, ())


def round_trip(value):
    return decode(encode(value))


# ------------------------------------------------------------------ codec round trips


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int8", "uint16", "bool", "complex128"])
def test_arrays_round_trip_with_dtype_and_shape(dtype):
    array = (np.arange(12).reshape(3, 4) % 3).astype(dtype)
    back = round_trip(array)
    assert isinstance(back, np.ndarray)
    assert back.dtype == array.dtype
    assert back.shape == array.shape
    assert np.array_equal(back, array)


def test_float_arrays_round_trip_bit_for_bit():
    array = np.array([[np.pi, -0.0, 1e-300, np.inf, np.nan]])
    back = round_trip(array)
    assert back.tobytes() == array.tobytes()


def test_empty_and_zero_dimensional_arrays_round_trip():
    for array in (np.zeros((0, 3)), np.array(2.5)):
        back = round_trip(array)
        assert isinstance(back, np.ndarray) and back.shape == array.shape


def test_numpy_scalars_stay_numpy_scalars():
    for scalar in (np.float64(1.5), np.float32(0.25), np.int64(-7), np.bool_(True)):
        back = round_trip(scalar)
        assert type(back) is type(scalar)
        assert back == scalar


def test_python_numbers_stay_python_numbers():
    for number in (1.5, 0.1, -0.0, 7, 2**70, True, False):
        back = round_trip(number)
        assert type(back) is type(number)
        assert back == number
    assert repr(round_trip(0.1 + 0.2)) == repr(0.1 + 0.2)  # floats keep every bit


def test_special_floats_round_trip():
    assert round_trip(float("inf")) == float("inf")
    assert np.isnan(round_trip(float("nan")))


def test_none_and_strings_round_trip():
    assert round_trip(None) is None
    assert round_trip("dW1 — 梯度") == "dW1 — 梯度"


def test_nested_containers_keep_their_types():
    value = {"params": {"W1": np.ones((2, 3))}, "costs": [1.0, np.float64(2.0)],
             "pair": (np.zeros((1, 1)), {"k": (1, [None, "x"])}), "empty": {}, "none": []}
    back = round_trip(value)
    assert back.keys() == value.keys()
    assert isinstance(back["pair"], tuple) and isinstance(back["costs"], list)
    assert np.array_equal(back["params"]["W1"], value["params"]["W1"])
    assert type(back["costs"][1]) is np.float64
    assert back["pair"][1] == {"k": (1, [None, "x"])}
    assert back["empty"] == {} and back["none"] == []


def test_dict_key_order_is_kept():
    value = {"b": 1, "a": 2, "c": 3}
    assert list(round_trip(value)) == ["b", "a", "c"]


def test_yielded_round_trips_with_its_truncation_flag():
    for truncated in (False, True):
        value = Yielded((np.arange(3), (np.ones((2, 1)), 4.0)), truncated=truncated)
        back = round_trip(value)
        assert isinstance(back, Yielded)
        assert back.truncated is truncated
        assert np.array_equal(back.items[0], np.arange(3))
        assert isinstance(back.items[1], tuple) and back.items[1][1] == 4.0


def test_opaque_round_trips():
    value = Opaque("Widget", "<Widget 3>")
    assert round_trip(value) == value


@pytest.mark.parametrize("value", [object(), {1, 2}, Payload(), [1, object()]],
                         ids=["object", "set", "custom-class", "list-holding-an-object"])
def test_encode_refuses_values_that_are_not_plain_data(value):
    with pytest.raises(PlainDataError):
        encode(value)


def test_encode_refuses_object_arrays():
    with pytest.raises(ValueError):
        encode({"a": np.array([Payload()], dtype=object)})


# ------------------------------------------------------------------ decode never unpickles


def crafted(array: np.ndarray) -> bytes:
    """Bytes in the codec's layout whose one array claims ``array``'s dtype and carries its
    pickle (``np.save`` with pickling allowed) as its bytes."""
    blob = io.BytesIO()
    np.save(blob, array, allow_pickle=True)
    header = json.dumps({"tree": {"a": 0}, "arrays": [[array.dtype.str, list(array.shape)]]}).encode()
    return struct.pack("<I", len(header)) + header + blob.getvalue()


def test_decode_refuses_an_object_array_and_never_unpickles_it():
    UNPICKLED.clear()
    data = crafted(np.array([Payload(), 1], dtype=object))
    assert b"_note_unpickling" in data  # the blob really carries a pickle
    with pytest.raises(ValueError):
        decode(data)
    assert UNPICKLED == []


def test_decoding_plain_data_does_not_touch_pickle(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("decode used pickle")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    data = encode({"W1": np.ones((2, 2)), "items": Yielded((1.0,)), "o": Opaque("T", "t")})
    assert np.array_equal(decode(data)["W1"], np.ones((2, 2)))


def test_decode_rejects_a_malformed_header():
    header = json.dumps({"tree": {"zz": 1}, "arrays": []}).encode()
    with pytest.raises(PlainDataError):
        decode(struct.pack("<I", len(header)) + header)


def test_an_array_in_several_places_crosses_once_and_arrives_as_separate_arrays():
    weights = np.arange(600.0).reshape(20, 30)
    parameters = {"W1": weights}
    thrice = encode([parameters, parameters, weights])
    assert len(thrice) < len(encode([parameters])) + 100  # two more places, not two more 4,800 bytes
    first, second, third = decode(thrice)
    for got in (first["W1"], second["W1"], third):
        assert np.array_equal(got, weights)
    first["W1"][0, 0] = -1.0  # each place its own array: as if it had crossed for each
    assert second["W1"][0, 0] == 0.0 and third[0, 0] == 0.0


def test_a_reference_to_an_earlier_result_round_trips_and_is_never_a_reply():
    reference = Earlier(3, (5, "W1"), length=False)
    assert round_trip([reference, Earlier(2, length=True)]) == [reference, Earlier(2, (), True)]
    assert plain_problem({"ok": [reference]}) is not None  # a reply that holds one is refused


@pytest.mark.parametrize("body", [[-1, [], False], [1, [1.5], False], [1, [], "yes"], [1, []], "1"])
def test_decode_refuses_a_malformed_reference(body):
    header = json.dumps({"tree": {"e": body}, "arrays": []}).encode()
    with pytest.raises(PlainDataError):
        decode(struct.pack("<I", len(header)) + header)


# ------------------------------------------------------------------ to_plain


def test_to_plain_copies_arrays():
    array = np.zeros(3)
    plain = to_plain({"a": array})
    array[0] = 5.0
    assert plain["a"][0] == 0.0


def test_to_plain_runs_a_generator_into_yielded():
    def batches():
        yield np.ones(2), np.zeros(1)
        yield np.ones(2) * 2, np.zeros(1)

    plain = to_plain(batches())
    assert isinstance(plain, Yielded)
    assert not plain.truncated
    assert len(plain.items) == 2
    assert isinstance(plain.items[0], tuple)
    assert np.array_equal(plain.items[1][0], [2.0, 2.0])


def test_to_plain_cuts_an_endless_generator():
    plain = to_plain(itertools.count())
    assert isinstance(plain, Yielded)
    assert plain.truncated
    assert len(plain.items) == MAX_ITEMS
    assert plain.items[:3] == (0, 1, 2)


def test_to_plain_turns_an_unknown_object_into_opaque():
    class Network:
        def __repr__(self):
            return "Network(hidden=4)"

    plain = to_plain({"net": Network()})
    assert plain["net"] == Opaque("Network", "Network(hidden=4)")


def test_to_plain_survives_a_repr_that_raises():
    class Hostile:
        def __repr__(self):
            raise RuntimeError("no")

    plain = to_plain(Hostile())
    assert isinstance(plain, Opaque) and plain.type_name == "Hostile"


def test_to_plain_turns_subclasses_of_containers_and_numbers_into_opaque():
    """A subclass could override methods the grader calls; only exact types pass through."""
    class Sneaky(list):
        pass

    class Number(float):
        pass

    assert isinstance(to_plain(Sneaky([1])), Opaque)
    assert isinstance(to_plain(Number(1.0)), Opaque)


def test_to_plain_turns_object_arrays_into_opaque():
    plain = to_plain(np.array([1, "a"], dtype=object))
    assert isinstance(plain, Opaque)


def test_to_plain_keeps_numpy_scalars_and_python_numbers_apart():
    plain = to_plain([np.float64(1.0), 1.0, np.int32(2), 2, True])
    assert [type(v) for v in plain] == [np.float64, float, np.int32, int, bool]


def test_to_plain_output_always_encodes():
    def gen():
        yield {"x": np.ones(1), "o": object()}

    value = {"g": gen(), "t": (1, np.float32(2)), "other": object()}
    back = round_trip(to_plain(value))
    assert isinstance(back["g"], Yielded)
    assert isinstance(back["other"], Opaque)
