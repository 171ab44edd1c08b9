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


# Shown as ``labelwise.InputError`` in tracebacks: that is where users import them.
for _cls in (LabelwiseError, InputError, UndefinedMetricWarning):
    _cls.__module__ = "labelwise"
