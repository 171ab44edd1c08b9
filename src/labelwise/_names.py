"""Suggestions for misspelt names: labels, columns and metrics.

A suggestion is only made for a near-identical name, so that two distinct codes
(``PDOC00670`` and ``PDOC00750``, ``L1`` and ``L2``) are never offered as the
same label:

* the same name up to case, or up to white space, ``-`` and ``_``;
* or one edit (a letter inserted, deleted, replaced, or two neighbours swapped)
  in a name of at least six characters, where the edit touches no digit.
"""

from __future__ import annotations

import re
from typing import Iterable

__all__ = ["near_match", "did_you_mean"]

_LOOSE = re.compile(r"[\s_\-]+")
_MIN_EDIT_LENGTH = 6


def _loose(name: str) -> str:
    return _LOOSE.sub("", name).casefold()


def _one_edit(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with one edit that touches no digit."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    i = 0
    while i < min(la, lb) and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1:] == b[i + 1:]:  # one replacement
            return not (a[i].isdigit() or b[i].isdigit())
        swapped = i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]
        return swapped and not (a[i].isdigit() or a[i + 1].isdigit())
    longer, shorter = (a, b) if la > lb else (b, a)
    return longer[i + 1:] == shorter[i:] and not longer[i].isdigit()


def near_match(name, candidates: Iterable) -> str | None:
    """The candidate that ``name`` is most likely a slip of, or None.

    Examples
    --------
    >>> near_match("Joy", ["joy", "love"])
    'joy'
    >>> near_match("quiet_still", ["quiet-still", "sad"])
    'quiet-still'
    >>> near_match("amazed-suprised", ["amazed-surprised"])
    'amazed-surprised'
    >>> print(near_match("PDOC00670", ["PDOC00750", "PDOC00671"]))
    None
    """
    text = str(name)
    cands = [str(c) for c in candidates]
    if text in cands:
        return None
    folded = text.casefold()
    for c in cands:
        if c.casefold() == folded:
            return c
    loose = _loose(text)
    for c in cands:
        if _loose(c) == loose:
            return c
    if len(text) >= _MIN_EDIT_LENGTH:
        for c in cands:
            if len(c) >= _MIN_EDIT_LENGTH and _one_edit(folded, c.casefold()):
                return c
    return None


def did_you_mean(name, candidates: Iterable, *, lead: str = " ") -> str:
    """``" (did you mean 'x'?)"`` for a near-identical candidate, else ``""``.

    >>> did_you_mean("f1-micro", ["f1_micro", "f1_macro"])
    " (did you mean 'f1_micro'?)"
    >>> did_you_mean("label_2", ["label_3"])
    ''
    """
    close = near_match(name, candidates)
    return "" if close is None else f"{lead}(did you mean {close!r}?)"
