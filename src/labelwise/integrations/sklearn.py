"""Scorers for scikit-learn's model selection: ``GridSearchCV``, ``cross_validate``,
``permutation_importance`` and anything else that takes ``scoring=``.

:func:`make_scorer` gives one metric, :func:`scorers` the dict for multi-metric
``scoring=`` (the report is computed once per fold and shared by its metrics). Any
registry metric can be scored (``labelwise metrics`` lists them), and losses are
negated, as scikit-learn expects of a score: higher is better.

This module never imports scikit-learn: a scorer is a plain callable
``scorer(estimator, X, y_true, sample_weight=None)`` that reads the estimator's
response.

Which response
--------------
``response="auto"`` takes ``predict_proba`` when the estimator has it, else
``decision_function``, else ``predict``. Every multi-label shape is read:

* ``predict_proba`` as an ``(n, L)`` array (``OneVsRestClassifier``,
  ``MLPClassifier``), or as a list of ``L`` arrays of shape ``(n, 2)``, one per
  label (``MultiOutputClassifier``, ``RandomForestClassifier``,
  ``KNeighborsClassifier``, ...): the column of class 1 is the score, found through
  the estimator's ``classes_``;
* ``decision_function`` as an ``(n, L)`` array, read as logits: ``threshold``
  stays on the probability scale, so the default 0.5 predicts where the decision
  value is above 0, as ``predict`` does;
* ``predict`` as 0/1 predictions (the score metrics, such as ROC-AUC, then cannot
  be computed, and asking for one is an error).

A label with a single class in the training fold
------------------------------------------------
An estimator that saw only one class of a label in its training fold returns, for
that label, a single probability column (class 0 or class 1 with certainty).
Such a label scores 0 for every sample when the class seen was 0, and 1 when it was
1: the estimator's own prediction. ``OneVsRestClassifier`` does the same itself
(and warns). The label then ranks no sample above another, so its ROC-AUC in the
test fold is 0.5; when the test fold lacks one of the label's classes instead, its
ROC-AUC is undefined and the macro average leaves the label out (see
``report.undefined``).

Examples
--------
>>> import numpy as np
>>> from sklearn.model_selection import cross_validate
>>> from sklearn.multiclass import OneVsRestClassifier
>>> from sklearn.linear_model import LogisticRegression
>>> from labelwise.integrations.sklearn import make_scorer, scorers
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(120, 4))
>>> Y = (X[:, :3] + rng.normal(scale=0.5, size=(120, 3)) > 0).astype(int)
>>> model = OneVsRestClassifier(LogisticRegression())
>>> scores = cross_validate(model, X, Y, cv=3, scoring=scorers(["f1_macro", "hamming_loss"]))
>>> bool(np.all(scores["test_f1_macro"] > 0.5)), bool(np.all(scores["test_hamming_loss"] < 0))
(True, True)
>>> make_scorer("hamming_loss")
make_scorer('hamming_loss', threshold=0.5, response='auto')
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import numpy as np

from ..errors import InputError
from ..evaluation import evaluate
from ._settings import check_metric, check_metrics, check_settings

__all__ = ["make_scorer", "scorers", "LabelwiseScorer", "RESPONSES", "response_scores"]

#: The ``response`` values: which method of the estimator gives what is evaluated.
RESPONSES = ("auto", "predict_proba", "decision_function", "predict")


def make_scorer(metric: str = "f1_macro", *, threshold=0.5, response: str = "auto",
                **settings) -> "LabelwiseScorer":
    """A scikit-learn scorer of one registry metric.

    Parameters
    ----------
    metric : str, default "f1_macro"
        A registry name (``labelwise metrics`` lists them): ``"f1_micro"``,
        ``"hamming_loss"``, ``"roc_auc_macro"``, ``"precision_at_3"``, ...
    threshold : float, sequence of float or dict, default 0.5
        Predict a label when its probability is above this (as in
        :func:`labelwise.evaluate`); for ``decision_function`` it applies to the
        sigmoid of the decision value. Unused with ``predict``.
    response : {"auto", "predict_proba", "decision_function", "predict"}, default "auto"
        The estimator's method to call; ``"auto"`` takes the first of the other
        three that the estimator has.
    **settings
        Passed on to :func:`labelwise.evaluate`: ``inclusive``, ``zero_division``,
        ``beta``, ``k``, ``labels``, ``inv_propensity``.

    Returns
    -------
    LabelwiseScorer
        ``scorer(estimator, X, y_true, sample_weight=None)`` gives the metric's
        value, negated when lower is better (``scorer.greater_is_better`` says
        which).

    Raises
    ------
    InputError
        For an unknown metric or response, a score metric with
        ``response="predict"``, or a setting :func:`labelwise.evaluate` does not take.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> X = np.array([[0.0], [0.1], [1.0], [1.1]])
    >>> Y = np.array([[1, 0], [1, 0], [0, 1], [1, 1]])
    >>> model = KNeighborsClassifier(n_neighbors=1).fit(X, Y)
    >>> make_scorer("f1_micro")(model, X, Y), make_scorer("hamming_loss")(model, X, Y)
    (1.0, -0.0)
    >>> make_scorer("hamming_loss").greater_is_better
    False
    """
    group = _Group(check_metrics([metric], "make_scorer"), threshold, response, settings,
                   "make_scorer")
    return LabelwiseScorer(metric, group)


def scorers(metrics, *, threshold=0.5, response: str = "auto", **settings) -> dict:
    """Scorers of several metrics for multi-metric ``scoring=``, sharing one report per fold.

    scikit-learn calls each scorer of the dict in turn on the same estimator and
    test fold; the first call computes the report, and the others read their
    metric from it, so the fold is predicted and evaluated once, not once per
    metric.

    Parameters
    ----------
    metrics : sequence of str
        Registry names; they are the dict's keys, and so the names in
        ``cv_results_`` (``mean_test_f1_macro``) and for ``refit=``.
    threshold, response, **settings
        As in :func:`make_scorer`.

    Returns
    -------
    dict of str to LabelwiseScorer

    Examples
    --------
    >>> s = scorers(["f1_macro", "hamming_loss", "roc_auc_macro"])
    >>> list(s), [v.greater_is_better for v in s.values()]
    (['f1_macro', 'hamming_loss', 'roc_auc_macro'], [True, False, True])
    """
    found = check_metrics(metrics, "scorers")
    group = _Group(found, threshold, response, settings, "scorers")
    return {m.name: LabelwiseScorer(m.name, group) for m in found}


class LabelwiseScorer:
    """A scorer of one registry metric: ``scorer(estimator, X, y_true, sample_weight=None)``.

    Made by :func:`make_scorer` or :func:`scorers`.

    Attributes
    ----------
    metric : str
    greater_is_better : bool
        From the registry's direction; a loss is returned negated.
    """

    def __init__(self, metric: str, group: "_Group"):
        self.metric = metric
        self.greater_is_better = check_metric(metric, "make_scorer").higher_is_better
        self._group = group

    def __call__(self, estimator, X, y_true, sample_weight=None) -> float:
        report = self._group.report(self.metric, estimator, X, y_true, sample_weight)
        if self.metric not in report.metrics:
            raise InputError(
                f"the report of this fold has no {self.metric}: these predictions do not "
                f"define it (e.g. k above the number of labels, {report.n_labels}); score "
                "another metric."
            )
        value = float(report.metrics[self.metric])
        return value if self.greater_is_better else -value

    def report(self, estimator, X, y_true, sample_weight=None):
        """The whole :class:`~labelwise.Report` of ``estimator`` on ``(X, y_true)``, made as
        the scorer makes it."""
        return self._group.evaluate(estimator, X, y_true, sample_weight)

    def __repr__(self) -> str:
        g = self._group
        extra = "".join(f", {k}={v!r}" for k, v in g.settings.items())
        return (f"make_scorer({self.metric!r}, threshold={g.threshold!r}, "
                f"response={g.response!r}{extra})")


# --------------------------------------------------------------------------
# The shared settings, the per-fold cache and the responses
# --------------------------------------------------------------------------


def _ref(obj):
    """A reference that tells whether a later argument is the same object."""
    try:
        return weakref.ref(obj)
    except TypeError:  # lists and tuples take no weak reference: hold them
        return lambda: obj


class _Group:
    """Settings shared by scorers, and the last report they made.

    The cache holds one report, keyed on the identity of the estimator, X, y and
    the weights, with the metrics already read from it. A metric read twice from
    the same key starts a new report: the caller may have changed the data in place
    (``permutation_importance`` shuffles one copy of X column by column).
    """

    def __init__(self, metrics: list, threshold, response, settings: dict, where: str):
        if response not in RESPONSES:
            raise InputError(f"{where}: response must be one of {', '.join(RESPONSES)}, got "
                             f"{response!r}.")
        scored = [m.name for m in metrics if m.needs_scores]
        if response == "predict" and scored:
            raise InputError(
                f"{where}: {', '.join(scored)} need(s) scores, but response='predict' gives "
                "hard 0/1 predictions; use response='auto', 'predict_proba' or "
                "'decision_function'."
            )
        _check_threshold(threshold, where)
        self.names = [m.name for m in metrics]
        self.needs_scores = scored
        self.threshold = threshold
        self.response = response
        self.settings = check_settings(settings, where)
        self._lock = threading.Lock()
        self._last = None  # (refs, report, names served)

    def __getstate__(self):  # pickled for joblib's workers: without the lock and cache
        state = self.__dict__.copy()
        state["_lock"] = None
        state["_last"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def report(self, name, estimator, X, y, sample_weight):
        args = (estimator, X, y, sample_weight)
        with self._lock:
            last = self._last
            if (last is not None and name not in last[2]
                    and all(r() is a for r, a in zip(last[0], args))):
                last[2].add(name)
                return last[1]
        report = self.evaluate(estimator, X, y, sample_weight)
        with self._lock:
            self._last = (tuple(_ref(a) for a in args), report, {name})
        return report

    def evaluate(self, estimator, X, y, sample_weight):
        method = _method(estimator, self.response, self.needs_scores)
        out = getattr(estimator, method)(X)
        kw = dict(self.settings, sample_weight=sample_weight)
        if method == "predict":
            return evaluate(y, _as_matrix(out, method), **kw)
        scores = response_scores(out, method, estimator)
        return evaluate(y, y_score=scores, threshold=self.threshold,
                        scores_are_logits=method == "decision_function", **kw)


def _check_threshold(threshold, where: str) -> None:
    if isinstance(threshold, bool) or not isinstance(
            threshold, (int, float, np.integer, np.floating, list, tuple, dict, np.ndarray)):
        raise InputError(f"{where}: threshold must be a number, one number per label, or a "
                         f"{{label: threshold}} dict, got {threshold!r}.")
    if isinstance(threshold, (int, float, np.integer, np.floating)) and not (
            0.0 <= float(threshold) <= 1.0):
        raise InputError(f"{where}: threshold {threshold!r} is not a probability; it applies "
                         "to predict_proba (or the sigmoid of decision_function), so give a "
                         "value from 0 to 1, e.g. 0.5.")


def _method(estimator, response: str, scored: list) -> str:
    if response != "auto":
        if not hasattr(estimator, response):
            raise InputError(f"{type(estimator).__name__} has no {response}(); use "
                             f"response='auto' to take the first of predict_proba, "
                             "decision_function and predict that it has.")
        return response
    for method in ("predict_proba", "decision_function"):
        if hasattr(estimator, method):
            return method
    if scored:
        raise InputError(
            f"{', '.join(scored)} need(s) scores, but {type(estimator).__name__} has neither "
            "predict_proba nor decision_function; score a threshold metric such as f1_macro, "
            "or use an estimator that gives scores."
        )
    if not hasattr(estimator, "predict"):
        raise InputError(f"{type(estimator).__name__} has none of predict_proba, "
                         "decision_function and predict: it is not a fitted classifier.")
    return "predict"


def _as_matrix(out, method: str):
    if hasattr(out, "tocsr") or hasattr(out, "iloc"):  # sparse matrices and frames as they are
        return out
    arr = np.asarray(out)
    if arr.ndim == 1:
        raise InputError(
            f"{method}() returned one value per sample (shape {arr.shape}), but a multi-label "
            "estimator gives one column per label, shape (n_samples, n_labels): fit it on a "
            "0/1 label matrix."
        )
    return arr


def response_scores(out, method: str, estimator: Any = None) -> np.ndarray:
    """The ``(n, L)`` score matrix of a ``predict_proba`` or ``decision_function`` response.

    Parameters
    ----------
    out : ndarray or list of ndarray
        What the method returned: an ``(n, L)`` array, or (``predict_proba`` of a
        multi-output estimator) a list of ``L`` arrays of shape ``(n, 2)``, or
        ``(n, 1)`` for a label with a single class in the training data.
    method : str
        The method's name, for messages.
    estimator : optional
        Its ``classes_`` (one array per label) say which column is class 1.

    Examples
    --------
    >>> import numpy as np
    >>> class Fitted:
    ...     classes_ = [np.array([0, 1]), np.array([0]), np.array([1])]
    >>> proba = [np.array([[0.8, 0.2], [0.3, 0.7]]), np.ones((2, 1)), np.ones((2, 1))]
    >>> response_scores(proba, "predict_proba", Fitted())
    array([[0.2, 0. , 1. ],
           [0.7, 0. , 1. ]])
    """
    if isinstance(out, (list, tuple)):
        classes = getattr(estimator, "classes_", None)
        if classes is not None and (isinstance(classes, np.ndarray) and classes.ndim == 1
                                    and classes.dtype != object):
            classes = None  # one set of classes for a single output: not per label
        if classes is not None and len(classes) != len(out):
            raise InputError(f"{method}() returned {len(out)} arrays (one per label) but the "
                             f"estimator's classes_ lists {len(classes)} outputs.")
        cols = [_positive_column(np.asarray(p), None if classes is None else classes[j], j,
                                 method) for j, p in enumerate(out)]
        return np.column_stack(cols)
    arr = _as_matrix(out, method)
    if hasattr(arr, "tocsr"):
        arr = arr.toarray()
    return np.asarray(arr, dtype=np.float64)


def _positive_column(p: np.ndarray, classes, j: int, method: str) -> np.ndarray:
    if p.ndim != 2 or p.shape[1] not in (1, 2):
        raise InputError(f"{method}() gave label {j} an array of shape {p.shape}; expected "
                         "(n_samples, 2), or (n_samples, 1) for a label with a single class "
                         "in the training data.")
    if classes is None:
        if p.shape[1] == 2:
            return p[:, 1]
        raise InputError(
            f"{method}() gave label {j} a single column, and the estimator has no classes_ to "
            "tell whether it is class 0 or class 1; fit an estimator that sets classes_, or "
            "use response='predict'."
        )
    classes = np.asarray(classes)
    if len(classes) != p.shape[1]:
        raise InputError(f"{method}() gave label {j} {p.shape[1]} columns but classes_ lists "
                         f"{len(classes)} classes for it ({classes.tolist()}).")
    positive = np.flatnonzero(classes == 1)
    if positive.size:
        return p[:, positive[0]]
    if p.shape[1] == 1:  # only class 0 was seen in training: never predicted
        return np.zeros(p.shape[0])
    raise InputError(f"label {j} has classes {classes.tolist()}; a multi-label target holds 0 "
                     "and 1 in every column.")
