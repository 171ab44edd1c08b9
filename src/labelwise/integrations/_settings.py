"""The evaluation settings an integration passes on to the engine, checked once."""

from __future__ import annotations

import difflib

from ..errors import InputError
from ..registry import lookup, metric_names

#: Settings of :func:`labelwise.evaluate` that an integration passes on as given.
PASSED_ON = ("inclusive", "zero_division", "beta", "k", "labels", "inv_propensity")


def check_settings(settings: dict, where: str, allowed=PASSED_ON) -> dict:
    """``settings`` if every key is one ``where`` passes on; else InputError naming them."""
    unknown = sorted(set(settings) - set(allowed))
    if unknown:
        raise InputError(f"{where} got unexpected keyword argument(s) {', '.join(unknown)}; it "
                         f"passes on only {', '.join(allowed)} (as labelwise.evaluate takes "
                         "them).")
    return dict(settings)


def check_metric(name, where: str):
    """The registry's metric called ``name``; else InputError with the nearest names."""
    if not isinstance(name, str):
        raise InputError(f"{where}: a metric is named by a string such as 'f1_macro', got "
                         f"{name!r} ({type(name).__name__}).")
    found = lookup(name)
    if found is None:
        near = difflib.get_close_matches(name, metric_names(), n=3)
        hint = f" Did you mean {', '.join(near)}?" if near else ""
        raise InputError(f"{where}: no metric {name!r} in the registry.{hint} "
                         "`labelwise metrics` lists every name.")
    return found


def check_metrics(names, where: str) -> list:
    """A list of distinct registry metrics from a name or a sequence of names."""
    if isinstance(names, str):
        names = [names]
    try:
        names = list(names)
    except TypeError:
        raise InputError(f"{where}: give a list of metric names such as ['f1_macro', "
                         f"'hamming_loss'], got {names!r}.") from None
    if not names:
        raise InputError(f"{where}: the list of metrics is empty; give at least one name, "
                         "e.g. ['f1_macro'].")
    found = [check_metric(n, where) for n in names]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(f"{where}: {', '.join(twice)} given more than once; each metric is "
                         "one key of the result.")
    return found
