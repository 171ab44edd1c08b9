"""Plain JSON-safe data of an accumulator's state, and back (``to_dict`` and
``from_dict``): arrays as base64 of their bytes with dtype and shape, settings as
JSON values, tuned thresholds as their own JSON."""

from __future__ import annotations

import base64
import json
from dataclasses import fields

import numpy as np

from . import _sparse as sp
from ._validate.raw import plain
from .diagnose import ScoreShape
from .errors import InputError
from .ranking import RowSums

__all__ = ["array_to_json", "array_from_json", "to_json", "from_json", "shape_to_dict",
           "rowsums_to_dict", "rowsums_from_dict", "exact_to_dict", "exact_from_dict"]


def array_to_json(a: np.ndarray) -> dict:
    a = np.ascontiguousarray(a)
    return {"dtype": a.dtype.str, "shape": list(a.shape),
            "data": base64.b64encode(a.tobytes()).decode("ascii")}


def array_from_json(d: dict) -> np.ndarray:
    raw = base64.b64decode(d["data"])
    return np.frombuffer(raw, dtype=np.dtype(d["dtype"])).reshape(d["shape"]).copy()


def to_json(x):
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    if hasattr(x, "to_json") and hasattr(x, "tuned_on"):  # tuned Thresholds
        return {"thresholds": json.loads(x.to_json())}
    if isinstance(x, np.ndarray):
        return {"ndarray": array_to_json(x)}
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, dict):
        return {"dict": [[plain(k), to_json(v)] for k, v in x.items()]}
    if isinstance(x, (list, tuple)):
        return [to_json(v) for v in x]
    raise InputError(f"cannot save a setting of type {type(x).__name__} in to_dict().")


def from_json(x):
    if isinstance(x, dict) and "thresholds" in x:
        from .thresholds import Thresholds

        return Thresholds.from_json(x["thresholds"])
    if isinstance(x, dict) and "ndarray" in x:
        return array_from_json(x["ndarray"])
    if isinstance(x, dict) and "dict" in x:
        return {k: from_json(v) for k, v in x["dict"]}
    if isinstance(x, list):
        return [from_json(v) for v in x]
    return x


def shape_to_dict(shape: ScoreShape) -> dict:
    return {f.name: getattr(shape, f.name) for f in fields(shape)}


def rowsums_to_dict(r: RowSums) -> dict:
    return {f.name: to_json(getattr(r, f.name)) for f in fields(r)}


def rowsums_from_dict(d: dict) -> RowSums:
    kw = {k: from_json(v) for k, v in d.items()}
    kw["ks"] = tuple(kw["ks"])
    return RowSums(**kw)


def exact_to_dict(part) -> dict:
    y, scores, w = part
    return {"shape": list(y.shape), "indptr": array_to_json(y.indptr),
            "indices": array_to_json(y.indices),
            "scores": None if scores is None else array_to_json(scores),
            "weights": None if w is None else array_to_json(w)}


def exact_from_dict(d: dict):
    indices = array_from_json(d["indices"])
    y = sp.csr_matrix((np.ones(indices.shape[0], dtype=np.bool_), indices,
                       array_from_json(d["indptr"])), shape=tuple(d["shape"]))
    scores = None if d["scores"] is None else array_from_json(d["scores"])
    w = None if d["weights"] is None else array_from_json(d["weights"])
    return y, scores, w
