"""Exception and warning types raised by labelwise.

Every problem with user input raises :class:`InputError`, a subclass of
:class:`ValueError`, so ``except ValueError`` keeps working for callers that
already guard scikit-learn calls that way.
"""

from __future__ import annotations


class LabelwiseError(Exception):
    """Base class of every error labelwise raises on purpose."""


class InputError(LabelwiseError, ValueError):
    """Input that labelwise cannot evaluate.

    The message says what was expected, what was found, where, and how to fix it.

    Examples
    --------
    >>> import labelwise
    >>> try:
    ...     labelwise.evaluate([[1, 0]], [[1, 0, 1]])
    ... except labelwise.InputError as err:
    ...     print(err)
    y_pred has shape (1, 3) but y_true has shape (1, 2): both need one row per sample and one column per label, in the same order.
    """


class UndefinedMetricWarning(UserWarning):
    """A metric divided by zero and was set to the ``zero_division`` value."""


class RowOrderWarning(UserWarning):
    """Rows of truth and predictions were paired by position although one of them has an index.

    Raised when only one of two pandas inputs has a row index other than the
    default ``0..n-1``, so the rows cannot be matched by index. Give both the
    same index to match them by index, or drop the index
    (``.reset_index(drop=True)``) to say that the order is right. A plain array
    or list beside an indexed frame has one order only, and is paired by
    position without a warning.

    Examples
    --------
    >>> import warnings
    >>> import pandas as pd
    >>> import labelwise
    >>> from labelwise.errors import RowOrderWarning
    >>> y_true = pd.DataFrame({"a": [1, 0], "b": [0, 1]}, index=["s1", "s2"])
    >>> y_pred = pd.DataFrame({"a": [1, 0], "b": [0, 1]})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = labelwise.evaluate(y_true, y_pred)
    >>> [w.category.__name__ for w in caught]
    ['RowOrderWarning']
    """


# Shown as ``labelwise.InputError`` in tracebacks: that is where users import them.
for _cls in (LabelwiseError, InputError, UndefinedMetricWarning, RowOrderWarning):
    _cls.__module__ = "labelwise"
