"""How an accumulator keeps its scores for exact ROC-AUC and AP: one growing buffer
of the batches' rows, and float32 codes of short decimals (numbers read from a text
file, such as ``0.125``), which take half the memory of float64 and give the same
results.

:class:`Codes` decode bit for bit to the float64 scores and keep their order and ties;
:class:`Kept` writes each batch once into buffers with room for more rows;
:func:`joined` joins the parts of several states into one.
"""

from __future__ import annotations

import math
import weakref

import numpy as np

from . import _kernels
from . import _sparse as sp

__all__ = ["Codes", "Kept", "codes_of", "to_codes", "plain_codes", "values_of", "places_of",
           "common_places", "joined", "owner", "value_type", "CODE_LIMIT"]


def joined(parts: list):
    """One (truth CSR, scores, weights) from the parts of several batches. The parts are
    taken off the list as they are copied, so the scores are held about once, not twice.
    Float32 codes stay codes when every part holds them (and they decode at the places of
    the part with the most); else they are decoded first."""
    if len(parts) == 1:
        return parts[0]
    n = sum(p[1].shape[0] for p in parts)
    places = common_places([p[1] for p in parts])
    if places is None:
        dtype = np.result_type(*[np.float64 if isinstance(p[1], Codes) else p[1].dtype
                                 for p in parts])
    else:
        dtype = np.float32
    scores = np.empty((n, parts[0][1].shape[1]), dtype=dtype)
    weighted = any(p[2] is not None for p in parts)
    w = np.ones(n) if weighted else None
    truths = []
    lo = 0
    while parts:
        y, s, pw = parts.pop(0)
        scores[lo : lo + s.shape[0]] = plain_codes(s) if places is not None else values_of(s)
        if pw is not None:
            w[lo : lo + s.shape[0]] = pw
        truths.append(y)
        lo += s.shape[0]
        del s
    y = sp.vstack(truths, format="csr")
    y.sort_indices()
    return y, (scores if places is None else codes_of(scores, places)), w


# -- the exact state's storage --------------------------------------------------------

#: Codes decode exactly while |score| * 10**places stays below this (see Codes).
CODE_LIMIT = 2.0 ** 22
MAX_PLACES = 15
_SAMPLE = 4096  # values tried first, before a whole batch is checked at some places


class Codes(np.ndarray):
    """Float32 codes of float64 scores that are decimals of ``places`` places.

    Each score ``x`` is the float64 nearest to ``m / 10**places`` for a whole number
    ``m``, and ``|x| * 10**places <= 2**22``. Its code is ``float32(x)``, whose rounding
    error is at most ``|x| * 2**-24``, so ``rint(code * 10**places)`` is ``m`` again and
    ``rint(code * 10**places) / 10**places`` is ``x``, bit for bit (:func:`values_of`).
    Rounding to float32 keeps order, and distinct scores get distinct codes (they decode
    apart), so codes keep the scores' order and their ties: all that ROC-AUC, average
    precision and their bootstrap read. A code does not depend on ``places``, so codes
    kept at fewer places decode at more, as long as the bound holds for all of them.
    """

    places = 0

    def __array_finalize__(self, obj):
        self.places = getattr(obj, "places", 0)

    def __array_wrap__(self, arr, context=None, return_scalar=False):
        out = np.asarray(arr).view(np.ndarray)  # computed values are values, not codes
        return out[()] if return_scalar else out

    def __reduce__(self):
        fn, args, state = super().__reduce__()
        return fn, args, (state, self.places)

    def __setstate__(self, state):
        base, self.places = state
        super().__setstate__(base)


def codes_of(codes: np.ndarray, places: int) -> Codes:
    out = codes.view(Codes)
    out.places = places
    return out


def to_codes(x: np.ndarray, places: int) -> Codes:
    """The float32 codes of scores that are decimals of ``places`` places."""
    return codes_of(np.ascontiguousarray(x, dtype=np.float32), places)


def plain_codes(scores: np.ndarray) -> np.ndarray:
    """The array itself; codes as a plain float32 array (what the kernels sort)."""
    return scores.view(np.ndarray) if isinstance(scores, Codes) else scores


def values_of(scores: np.ndarray) -> np.ndarray:
    """The scores themselves: codes decoded to their float64 values."""
    if not isinstance(scores, Codes):
        return scores
    scale = 10.0 ** scores.places
    x = np.multiply(plain_codes(scores), scale, dtype=np.float64)
    np.rint(x, out=x)
    x /= scale
    return x


_NUMPY_CELLS = 1 << 18


def _on_places(flat: np.ndarray, places: int) -> np.ndarray:
    """Which values are the float64 nearest to a decimal of ``places`` places."""
    scale = 10.0 ** places
    if flat.size < _NUMPY_CELLS:  # numpy's passes: nothing to compile for a small input
        x = np.asarray(flat, dtype=np.float64)
        return np.rint(x * scale) / scale == x
    out = np.empty(flat.shape, dtype=np.bool_)
    _kernels.on_places(np.ascontiguousarray(flat), scale, out)  # one pass, no temporaries
    return out


def _fewest_places(values: np.ndarray, start: int, most: int) -> int | None:
    for k in range(start, most + 1):
        if _on_places(values, k).all():
            return k
    return None


def places_of(x: np.ndarray, top: float, start: int) -> int | None:
    """The fewest places, ``start`` or more, at which every score of ``x`` is a decimal
    that a float32 code keeps (with ``top``, the largest ``|score|`` kept, within the
    bound of :class:`Codes`); None if there are none. The places are found on a sample
    first, so that scores that are not decimals cost a few small checks."""
    if not math.isfinite(top):
        return None
    most = MAX_PLACES
    if top * 10.0 ** most > CODE_LIMIT:
        most = min(most, math.floor(math.log10(CODE_LIMIT / top)))
        while most >= 0 and top * 10.0 ** most > CODE_LIMIT:  # log10 may round up
            most -= 1
    flat = x.reshape(-1)
    step = max(1, flat.size // _SAMPLE)
    k = _fewest_places(flat[::step], start, most)
    while k is not None:
        ok = _on_places(flat, k)
        if ok.all():
            return k
        k = _fewest_places(flat[~ok][:_SAMPLE], k + 1, most)
    return None


def common_places(scores: list) -> int | None:
    """The places at which all these codes decode, or None (some hold values, or the
    codes of the part with the most places do not decode at them for the others)."""
    if not all(isinstance(s, Codes) for s in scores):
        return None
    places = max(s.places for s in scores)
    top = max(max(-float(plain_codes(s).min()), float(plain_codes(s).max())) if s.size else 0.0
              for s in scores)
    return places if top * 10.0 ** places <= CODE_LIMIT else None


class Kept:
    """The last part of an accumulator's exact state, as its own updates made it.

    A part that updates extend holds views of buffers with room for more rows (grown by
    half each time), so each batch is copied once, into the arrays that
    :meth:`Accumulator.report` sorts. This holds weak references only: the part's views
    keep their buffers alive, and a part that the accumulator drops or replaces
    (``bin_scores``, ``reorder_rows``, a merge) frees them. Only the accumulator whose
    list of parts it is writes there: a :meth:`Accumulator.copy` that shares the part,
    or a merge that takes it, starts a part of its own with its next batch.
    """

    def __init__(self, parts: list, places, top: float, buffers: dict, rows_hint: int = 0):
        self.list_id = id(parts)
        self.rows_hint = rows_hint
        self.part = weakref.ref(parts[-1][1])
        self.places = places if isinstance(parts[-1][1], Codes) else None
        self.top = top
        self.buffers = {k: weakref.ref(v) for k, v in buffers.items() if v is not None}

    def __reduce__(self):  # a pickled or deep-copied accumulator starts a part of its own
        return (type(None), ())

    def owns(self, parts: list) -> bool:
        return bool(parts) and id(parts) == self.list_id and self.part() is parts[-1][1]

    def _room(self, name: str, view, size: int, dtype, ones: int = 0,
              reserve: int = 0) -> np.ndarray:
        """The buffer ``view`` is the start of, when it was made here with room for
        ``size`` entries of ``dtype``; else a new one half as big again (or of
        ``reserve`` rows, when that is more), holding ``view`` (or, without one, ``ones``
        leading ones). The truth's views stay above half their buffers' size, so that
        scipy keeps them as views (it copies one of less than half its base)."""
        ref = self.buffers.get(name)
        buf = None if ref is None else ref()
        if (buf is not None and view is not None and owner(view) is buf and buf.dtype == dtype
                and buf.shape[0] >= size and buf.shape[1:] == view.shape[1:]
                and view.__array_interface__["data"][0] == buf.__array_interface__["data"][0]):
            return buf
        rest = () if view is None else view.shape[1:]
        rows = size + size // 2 + 1
        try:
            buf = np.empty((max(rows, reserve),) + rest, dtype=dtype)
        except MemoryError:  # no address space for the whole reserve
            buf = np.empty((rows,) + rest, dtype=dtype)
        if view is not None:
            buf[: view.shape[0]] = plain_codes(view) if dtype == np.float32 else values_of(view)
        else:
            buf[:ones] = 1.0
        return buf

    def extend(self, part: tuple, y, scores, weights) -> tuple:
        """``part`` with the rows of one more batch, and the buffers it is a view of."""
        y0, s0, w0 = part
        n0, n = s0.shape[0], s0.shape[0] + scores.shape[0]
        z0, z = y0.indices.shape[0], y0.indices.shape[0] + y.indices.shape[0]
        codes = isinstance(scores, Codes) and isinstance(s0, Codes)
        dtype = np.float32 if codes else np.result_type(value_type(s0), value_type(scores))
        index = np.int32 if max(z, n, s0.shape[1]) < 2**31 else np.int64
        bufs = {"scores": self._room("scores", s0, n, dtype, reserve=self.rows_hint),
                "indptr": self._room("indptr", y0.indptr, n + 1, index),
                "indices": self._room("indices", y0.indices, z, index),
                "data": self._room("data", y0.data, z, np.bool_), "weights": None}
        if w0 is not None or weights is not None:
            bufs["weights"] = self._room("weights", w0, n, np.float64, ones=n0,
                                         reserve=self.rows_hint)
        bufs["scores"][n0:n] = plain_codes(scores) if codes else values_of(scores)
        bufs["indices"][z0:z] = y.indices
        bufs["data"][z0:z] = True
        indptr = bufs["indptr"][n0 + 1 : n + 1]
        indptr[:] = y.indptr[1:]
        indptr += z0
        if bufs["weights"] is not None:
            bufs["weights"][n0:n] = 1.0 if weights is None else weights
        truth = sp.csr_matrix((bufs["data"][:z], bufs["indices"][:z], bufs["indptr"][: n + 1]),
                              shape=(n, s0.shape[1]))
        truth.has_sorted_indices = True  # each batch's rows came sorted
        kept = bufs["scores"][:n]
        if codes:
            kept = codes_of(kept, max(s0.places, scores.places))
        w = None if bufs["weights"] is None else bufs["weights"][:n]
        return (truth, kept, w), bufs


def owner(view: np.ndarray):
    """The array that holds a view's memory (a view of a view of codes points to the
    plain view between)."""
    while isinstance(view.base, np.ndarray):
        view = view.base
    return view


def value_type(scores: np.ndarray):
    return np.dtype(np.float64) if isinstance(scores, Codes) else scores.dtype


