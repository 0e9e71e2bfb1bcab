"""Plain data: the only values that cross from student code into the grader.

Student functions may return anything. Before the grader looks at a value it is
turned into *plain data*, built only from

    None, bool, int, float, str, NumPy scalars, NumPy arrays of numbers or bools,
    dict (str keys), list, tuple, Yielded (what a generator produced), Opaque

so judges never touch a live student object (no methods to run, nothing to
patch), and the same value can travel between processes without pickle:
``encode`` writes a JSON header plus each array's raw bytes (numeric dtypes only),
``decode`` reads them back. Fixtures on disk use the same format. Requests
to a submission's process may also hold ``Earlier`` (a reference to the result of an
earlier call of the same request); replies never do.
"""
from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader.i18n import _, ngettext

MAX_ITEMS = 10_000  # a generator that yields more than this is cut (and flagged)
MAX_DEPTH = 20


@dataclass(frozen=True)
class Yielded:
    """The items a generator (or other iterator) produced, in order."""

    items: tuple
    truncated: bool = False


@dataclass(frozen=True)
class Opaque:
    """A value the grader does not inspect: only its type name and a short repr."""

    type_name: str
    text: str


@dataclass(frozen=True)
class Earlier:
    """In the arguments of a ``Bridge.call_each`` request: part of the result of an earlier call of the
    same request, handed on where the calls run instead of travelling to the grader and back.

    position  the call (counted as ``call_each`` expands its calls)
    path      indices followed into that result: ints into a list, tuple or a generator's items, str
              keys into a dict; Earlier(3, (5, 0)) is X_batch of the sixth batch that call 3 yielded
    length    in ``keep`` only: send the number of items a generator yielded, not the items

    Only the grader writes these (a reply that holds one is refused, ``plain_problem``).
    """

    position: int
    path: tuple = ()
    length: bool = False

    def __deepcopy__(self, memo: dict) -> "Earlier":
        return self  # immutable: the in-process bridge copies every call's arguments, these included


UNRESOLVED = "unresolved reference"  # the type name of the Opaque result of a call that was not made


def unresolved(reason: str) -> "Opaque":
    """The result of a ``call_each`` call that was not made: an Earlier argument could not be followed."""
    return Opaque(UNRESOLVED, reason)


def is_unresolved(value: Any) -> bool:
    return isinstance(value, Opaque) and value.type_name == UNRESOLVED


class PlainDataError(ValueError):
    """A value could not be turned into plain data."""


def to_plain(value: Any, depth: int = 0) -> Any:
    """Copy ``value`` into plain data. Arrays are copied; unknown objects become Opaque."""
    if depth > MAX_DEPTH:
        return Opaque("nested", "structure nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic):
        return value if value.dtype.kind in "biufc" else Opaque(type(value).__name__, _short_repr(value))
    if isinstance(value, (int, float)) and type(value) in (int, float):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufc":
            return Opaque(f"ndarray of dtype {value.dtype}", _short_repr(value))
        return np.array(value, copy=True)
    if isinstance(value, dict):
        return {str(k): to_plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and type(value) in (list, tuple):
        items = [to_plain(v, depth + 1) for v in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, Yielded):  # already plain data (a result passed on): copied, items re-checked
        return Yielded(tuple(to_plain(item, depth + 1) for item in tuple(value.items)), bool(value.truncated))
    if isinstance(value, Opaque):
        return Opaque(str(value.type_name), str(value.text))
    if isinstance(value, Iterator):
        items = []
        for item in value:
            if len(items) == MAX_ITEMS:
                return Yielded(tuple(items), truncated=True)
            items.append(to_plain(item, depth + 1))
        return Yielded(tuple(items))
    return Opaque(type(value).__name__, _short_repr(value))


def _short_repr(value: Any, limit: int = 80) -> str:
    try:
        text = repr(value)
    except Exception:  # a student's __repr__ may raise
        text = "<unprintable>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe(value: Any) -> str:
    """A short description, in the language in use: 'array of shape (5, 1) (float64)', 'dict with keys
    A, B', 'list of length 3', 'float' (type names stay as Python writes them)."""
    if isinstance(value, np.ndarray):
        return _("array of shape {shape} ({dtype})", shape=value.shape, dtype=value.dtype)
    if isinstance(value, Opaque):
        return f"{value.type_name} ({value.text})"
    if isinstance(value, Yielded):
        return ngettext("{number} yielded item", "{number} yielded items", len(value.items))
    if isinstance(value, dict):
        return (_("dict with keys {keys}", keys=", ".join(sorted(value))) if value else
                _("dict with keys (none)"))
    if isinstance(value, (list, tuple)):
        return _("{type} of length {length}", type=type(value).__name__, length=len(value))
    if isinstance(value, np.generic):
        return _("NumPy {dtype} scalar", dtype=value.dtype)
    return type(value).__name__


# --------------------------------------------------------------------------- codec
# Layout: 4-byte header length, JSON header {"tree": ..., "arrays": [[dtype, shape], ...]}, then
# each array's raw bytes in C order. In the tree, arrays are {"a": index} and other tags as below;
# an array that appears in several places crosses once, and each further place gets a copy.
# Raw bytes read with np.frombuffer into a dtype checked against NUMERIC_KINDS can only ever be
# numbers: nothing is unpickled, and decoding is ~25x faster than np.load's header parser.

NUMERIC_KINDS = "biufc"  # bool, signed, unsigned, float, complex
MAX_NDIM = 32


def _to_tree(value: Any, arrays: list[np.ndarray], sent: dict[int, int]) -> Any:
    """``sent``: id of each array already in ``arrays`` -> its index (an array handed to several calls of
    one request crosses once)."""
    if type(value) is np.ndarray:  # the common case first: a frame can carry thousands of arrays
        index = sent.get(id(value))
        if index is None:
            arrays.append(_numeric(value))
            index = sent[id(value)] = len(arrays) - 1
        return {"a": index}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic):
        arrays.append(_numeric(np.asarray(value)))
        return {"s": len(arrays) - 1}
    if isinstance(value, int):
        return {"i": str(value)}
    if isinstance(value, float):
        return {"f": repr(value)}
    if isinstance(value, np.ndarray):
        arrays.append(_numeric(value))
        return {"a": len(arrays) - 1}
    if isinstance(value, dict):
        return {"d": [[k, _to_tree(v, arrays, sent)] for k, v in value.items()]}
    if isinstance(value, list):
        return {"l": [_to_tree(v, arrays, sent) for v in value]}
    if isinstance(value, tuple):
        return {"t": [_to_tree(v, arrays, sent) for v in value]}
    if isinstance(value, Yielded):
        return {"y": [_to_tree(v, arrays, sent) for v in value.items], "cut": value.truncated}
    if isinstance(value, Opaque):
        return {"o": [value.type_name, value.text]}
    if isinstance(value, Earlier):
        return {"e": [value.position, list(value.path), value.length]}
    raise PlainDataError(f"not plain data: {type(value).__name__}")


def _numeric(array: np.ndarray) -> np.ndarray:
    if array.dtype.kind not in NUMERIC_KINDS or array.dtype.hasobject:
        raise PlainDataError(f"not plain data: an array of dtype {array.dtype}")
    return array


_DTYPE_TEXT: dict[np.dtype, str] = {}  # dtype -> its .str (computed anew on every access)


def _dtype_text(dtype: np.dtype) -> str:
    text = _DTYPE_TEXT.get(dtype)
    if text is None:
        text = dtype.str
        if len(_DTYPE_TEXT) < 256:
            _DTYPE_TEXT[dtype] = text
    return text


def _from_tree(node: Any, arrays: list[np.ndarray], used: set[int]) -> Any:
    """Inverse of ``_to_tree``, strict about what it accepts: a frame from a worker may be forged.

    An array that crossed once for several places (``used``: indices already placed) is copied
    for each further place: every place gets its own array, as if it had crossed for each."""
    if node is None or isinstance(node, (bool, str)):
        return node
    if not isinstance(node, dict) or len(node) not in (1, 2):
        raise PlainDataError("malformed plain-data header")
    tag = next(iter(node))
    body = node[tag]
    if tag in ("a", "s"):
        index = _index(body, arrays)
        array = arrays[index]
        if tag == "a":
            if index in used:
                return array.copy()
            used.add(index)
            return array
        if array.ndim != 0:
            raise PlainDataError("a scalar that is not 0-dimensional")
        return array[()]
    if tag == "i":
        return int(_text(body))
    if tag == "f":
        return float(_text(body))
    if tag == "d":
        return {_text(k): _from_tree(v, arrays, used) for k, v in _pairs(body)}
    if tag in ("l", "t", "y"):
        if not isinstance(body, list):
            raise PlainDataError(f"a {tag!r} node that is not a list")
        items = [_from_tree(v, arrays, used) for v in body]
        if tag == "y":
            cut = node.get("cut", False)
            if not isinstance(cut, bool):
                raise PlainDataError("a 'cut' flag that is not a bool")
            return Yielded(tuple(items), cut)
        return items if tag == "l" else tuple(items)
    if tag == "o":
        if not (isinstance(body, list) and len(body) == 2):
            raise PlainDataError("an opaque value that is not [type name, text]")
        return Opaque(_text(body[0]), _text(body[1]))
    if tag == "e":
        return _earlier(body)
    raise PlainDataError(f"unknown plain-data tag {tag!r}")


def _earlier(body: Any) -> Earlier:
    if not (isinstance(body, list) and len(body) == 3 and type(body[0]) is int and body[0] >= 0
            and isinstance(body[1], list) and all(type(step) in (int, str) for step in body[1])
            and isinstance(body[2], bool)):
        raise PlainDataError("a reference that is not [position, path, length]")
    return Earlier(body[0], tuple(body[1]), body[2])


def _index(body: Any, arrays: list[np.ndarray]) -> int:
    if type(body) is not int or not 0 <= body < len(arrays):
        raise PlainDataError("an array index out of range")
    return body


def _text(body: Any) -> str:
    if not isinstance(body, str):
        raise PlainDataError(f"expected a string, got {type(body).__name__}")
    return body


def _pairs(body: Any) -> list:
    if not (isinstance(body, list) and all(isinstance(p, list) and len(p) == 2 for p in body)):
        raise PlainDataError("a dict node that is not a list of [key, value] pairs")
    return body


def plain_problem(value: Any, depth: int = 0) -> str | None:
    """What makes ``value`` something ``to_plain`` never returns, or None when it is plain data.

    ``decode`` builds only the plain-data types, but a forged frame can still hold arrays of
    strings, records or dates, or nest deeper than ``to_plain`` ever does; the grader refuses
    those as a whole instead of handing them to code that expects numbers.
    """
    if depth > MAX_DEPTH + 4:  # to_plain stops at MAX_DEPTH; a reply wraps a few levels around it
        return "nested too deeply"
    if value is None or type(value) in (bool, str, int, float):
        return None
    if isinstance(value, (np.ndarray, np.generic)):
        return None if value.dtype.kind in "biufc" else f"an array of dtype {value.dtype}"
    if type(value) is dict:
        return next((p for v in value.values() if (p := plain_problem(v, depth + 1))), None)
    if type(value) in (list, tuple):
        return next((p for v in value if (p := plain_problem(v, depth + 1))), None)
    if type(value) is Yielded:
        return plain_problem(value.items, depth)
    if type(value) is Opaque:
        return None
    return f"a {type(value).__name__}"


# json.dumps's own output, without its check for circular references (a third of its time on a frame of
# thousands of arrays): a tree _to_tree builds is new, and a value that contains itself never gets here.
_HEADER_JSON = json.JSONEncoder(check_circular=False)


def encode(value: Any) -> bytes:
    """Serialise plain data: 4-byte header length, JSON header, then the arrays' raw bytes."""
    arrays: list[np.ndarray] = []
    tree = _to_tree(value, arrays, {})
    specs = [[_dtype_text(a.dtype), list(a.shape)] for a in arrays]
    header = _HEADER_JSON.encode({"tree": tree, "arrays": specs}).encode()
    return b"".join([struct.pack("<I", len(header)), header,
                     *(np.ascontiguousarray(a).tobytes() for a in arrays)])


def decode(data: bytes) -> Any:
    """Inverse of ``encode``. Never unpickles: only numeric dtypes are read, as raw bytes.

    Raises PlainDataError (a ValueError) on anything malformed."""
    view = memoryview(data)
    try:
        (length,) = struct.unpack_from("<I", view, 0)
        header = json.loads(bytes(view[4:4 + length]))
        specs = header["arrays"]
        offset = 4 + length
        arrays = []
        for spec in specs:
            array, offset = _read_array(view, offset, spec)
            arrays.append(array)
        tree = header["tree"]
    except PlainDataError:
        raise
    except (struct.error, ValueError, TypeError, KeyError, IndexError, RecursionError) as error:
        raise PlainDataError(f"malformed plain data ({type(error).__name__})") from None
    try:
        return _from_tree(tree, arrays, set())
    except PlainDataError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, RecursionError) as error:
        raise PlainDataError(f"malformed plain-data header ({type(error).__name__})") from None


_READABLE: dict[str, np.dtype] = {}  # dtype texts already checked -> their dtype (a frame repeats a few)


def _readable_dtype(dtype_text: Any) -> np.dtype:
    """The dtype named by ``dtype_text`` when it is a plain number type; raises PlainDataError otherwise."""
    dtype = _READABLE.get(dtype_text) if type(dtype_text) is str else None
    if dtype is None:
        dtype = np.dtype(str(dtype_text))
        if dtype.kind not in NUMERIC_KINDS or dtype.hasobject or dtype.fields is not None or dtype.subdtype:
            raise PlainDataError(f"refusing an array of dtype {dtype}: only numbers cross")
        if type(dtype_text) is str and len(_READABLE) < 256:
            _READABLE[dtype_text] = dtype
    return dtype


def _read_array(view: memoryview, offset: int, spec: Any) -> tuple[np.ndarray, int]:
    dtype_text, shape = spec
    dtype = _readable_dtype(dtype_text)
    if not (isinstance(shape, list) and len(shape) <= MAX_NDIM
            and all([type(n) is int and n >= 0 for n in shape])):
        raise PlainDataError("malformed array shape")
    count = math.prod(shape)  # Python integers: no overflow
    size = count * dtype.itemsize
    if offset + size > len(view):
        raise PlainDataError("truncated plain data")
    array = np.frombuffer(view, dtype=dtype, count=count, offset=offset).reshape(shape).copy()
    return array, offset + size


def save(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode(value))


def load(path: Path) -> Any:
    return decode(path.read_bytes())
