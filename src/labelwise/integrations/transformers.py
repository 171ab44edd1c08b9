"""``compute_metrics`` for the Hugging Face ``Trainer``.

::

    from labelwise.integrations.transformers import compute_metrics

    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=val,
                      compute_metrics=compute_metrics(labels=model.config.id2label))

The model's logits go through the exact sigmoid path (``sigmoid(logit) > threshold``
is decided as ``logit > logit(threshold)``), and the result is a flat dict of floats,
which the Trainer prefixes with ``eval_`` and hands to every tracker it reports to.
With ``TrainingArguments(batch_eval_metrics=True)`` the Trainer calls it once per
batch; the batches are then added to a :class:`labelwise.Accumulator`, and the
metrics come at the last batch, so the evaluation set's predictions are never
gathered in one array (with ``auc="binned"``, not even its scores are kept).

This module never imports transformers or torch: it reads the ``predictions`` and
``label_ids`` of whatever it is given, and moves tensors to the CPU itself.

Examples
--------
>>> from collections import namedtuple
>>> import numpy as np
>>> EvalPrediction = namedtuple("EvalPrediction", "predictions label_ids")
>>> fn = compute_metrics(labels=["joy", "anger"], metrics=["f1_macro", "hamming_loss"])
>>> fn(EvalPrediction(np.array([[2.0, -1.0], [-0.5, 3.0]]), np.array([[1, 0], [1, 1]])))
{'f1_macro': 0.8333333333333333, 'hamming_loss': 0.25}
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import Accumulator
from ..errors import InputError
from ..export import NAN_POLICIES, to_flat_dict
from ._settings import check_metrics, check_settings

__all__ = ["compute_metrics", "ComputeMetrics"]

_PASSED_ON = ("inclusive", "zero_division", "beta", "k", "inv_propensity", "auc", "bins")


def compute_metrics(labels=None, threshold=0.5, logits: bool = True, metrics=None,
                    prefix: str = "", *, per_label=False, nan="omit",
                    **settings) -> "ComputeMetrics":
    """A ``compute_metrics`` callable for ``Trainer(compute_metrics=...)``.

    Parameters
    ----------
    labels : sequence or dict, optional
        The label names in column order, or the model's ``config.id2label``
        (``{0: "joy", 1: "anger"}``). Without them, labels are the column numbers.
    threshold : float, sequence of float or dict, default 0.5
        Predict a label when its probability is above this.
    logits : bool, default True
        The model returns logits (as ``AutoModelForSequenceClassification`` with
        ``problem_type="multi_label_classification"`` does); False for probabilities.
    metrics : sequence of str, optional
        Registry names to return (``labelwise metrics`` lists them); default every
        metric of the report.
    prefix : str, default ""
        Put before every key (the Trainer adds ``eval_`` itself).
    per_label : bool or list of str, default False
        Also return per-label values, keyed ``f1/joy`` (see
        :func:`labelwise.export.to_flat_dict`); label names are made safe for trackers.
    nan : {"omit", "keep"} or float, default "omit"
        What an undefined value becomes: left out, kept as NaN, or this number.
    **settings
        Passed on to :class:`labelwise.Accumulator`: ``inclusive``, ``zero_division``,
        ``beta``, ``k``, ``inv_propensity``, ``auc`` and ``bins``.

    Returns
    -------
    ComputeMetrics
        ``fn(eval_prediction, compute_result=None)``; see :class:`ComputeMetrics`.

    Examples
    --------
    Batch by batch, as the Trainer calls it with ``batch_eval_metrics=True``:

    >>> from collections import namedtuple
    >>> import numpy as np
    >>> EvalPrediction = namedtuple("EvalPrediction", "predictions label_ids")
    >>> fn = compute_metrics(labels={0: "joy", 1: "anger"}, metrics=["f1_micro"], per_label=["f1"])
    >>> fn(EvalPrediction(np.array([[2.0, -1.0]]), np.array([[1, 0]])), compute_result=False)
    {}
    >>> fn(EvalPrediction(np.array([[-0.5, 3.0]]), np.array([[1, 1]])), compute_result=True)
    {'f1_micro': 0.8, 'f1/joy': 0.6666666666666666, 'f1/anger': 1.0}
    """
    return ComputeMetrics(labels=labels, threshold=threshold, logits=logits, metrics=metrics,
                          prefix=prefix, per_label=per_label, nan=nan, settings=settings)


class ComputeMetrics:
    """``fn(eval_prediction, compute_result=None) -> {name: float}``, made by
    :func:`compute_metrics`.

    ``eval_prediction`` is an ``EvalPrediction``, or any object with ``predictions``
    and ``label_ids`` (a ``(predictions, label_ids)`` pair too). Predictions given as
    a tuple, such as ``(logits, hidden_states)``, are read from their first element;
    tensors are detached and moved to the CPU.

    ``compute_result`` is what the Trainer passes with ``batch_eval_metrics=True``:
    False adds the batch and returns ``{}``; True adds the last batch and returns the
    metrics of every batch since the last result. Without it (None), the call
    evaluates what it is given, all at once, and leaves any batches under way alone.
    An evaluation stopped before its last batch leaves its batches behind: call
    :meth:`reset` before the next one.
    """

    def __init__(self, *, labels, threshold, logits, metrics, prefix, per_label, nan,
                 settings):
        self.labels = _labels(labels)
        self.metrics = None if metrics is None else [
            m.name for m in check_metrics(metrics, "compute_metrics")]
        if not isinstance(prefix, str):
            raise InputError(f"compute_metrics: prefix must be a string such as 'val/', got "
                             f"{prefix!r}.")
        if not isinstance(logits, bool):
            raise InputError(f"compute_metrics: logits must be True (the model returns logits) "
                             f"or False (probabilities), got {logits!r}.")
        if isinstance(nan, str) and nan not in NAN_POLICIES:
            raise InputError(f"compute_metrics: nan must be 'omit', 'keep' or a number, got "
                             f"{nan!r}.")
        self.prefix, self.per_label, self.nan = prefix, per_label, nan
        self.settings = dict(check_settings(settings, "compute_metrics", _PASSED_ON),
                             threshold=threshold, scores_are_logits=logits)
        self._new()  # checks the settings now, not at the first evaluation
        self._acc = None  # the batches of an evaluation under way

    def _new(self) -> Accumulator:
        return Accumulator(self.labels, **self.settings)

    def __call__(self, eval_prediction, compute_result: bool | None = None) -> dict:
        scores, truth = _unpack(eval_prediction)
        if compute_result is None:
            return self._result(self._new().update(truth, y_score=scores))
        if self._acc is None:
            self._acc = self._new()
        if np.shape(scores)[0] or self._acc.counts is None:  # an empty last batch adds nothing
            self._acc.update(truth, y_score=scores)
        if not compute_result:
            return {}
        acc, self._acc = self._acc, None
        return self._result(acc)

    def reset(self) -> None:
        """Forget the batches added since the last result."""
        self._acc = None

    def _result(self, acc: Accumulator) -> dict:
        report = acc.report()
        flat = to_flat_dict(report, self.prefix, per_label=self.per_label, nan=self.nan)
        if self.metrics is None:
            return flat
        missing = [m for m in self.metrics if m not in report.metrics]
        if missing:
            raise InputError(f"compute_metrics: the report has no {', '.join(missing)}: these "
                             f"predictions do not define it (e.g. k above the number of labels, "
                             f"{report.n_labels}); leave it out of metrics=.")
        names = set(report.metrics)
        out = {self.prefix + m: flat[self.prefix + m] for m in self.metrics
               if self.prefix + m in flat}  # in the order asked for; NaN may be left out
        out.update((k, v) for k, v in flat.items() if k[len(self.prefix):] not in names)
        return out

    def __repr__(self) -> str:
        return (f"compute_metrics(labels={self.labels!r}, threshold="
                f"{self.settings['threshold']!r}, logits={self.settings['scores_are_logits']!r}, "
                f"metrics={self.metrics!r}, prefix={self.prefix!r})")


def _labels(labels):
    if isinstance(labels, dict):  # config.id2label: {0: "joy", ...}, keys may be strings
        try:
            order = sorted(labels, key=int)
        except (TypeError, ValueError):
            raise InputError(f"compute_metrics: a dict of labels is read as id2label, {{column "
                             f"number: name}}, but its keys are {list(labels)[:5]}; give the "
                             "names as a list in column order instead.") from None
        if [int(k) for k in order] != list(range(len(order))):
            raise InputError(f"compute_metrics: id2label must number the columns 0 to "
                             f"{len(order) - 1}, got keys {[int(k) for k in order]}.")
        return [labels[k] for k in order]
    return None if labels is None else list(labels)


def _host(x: Any):
    """A tensor detached, on the CPU and in a dtype numpy reads (bfloat16 is not one)."""
    if hasattr(x, "detach"):
        x = x.detach()
    if hasattr(x, "cpu"):
        x = x.cpu()
    if "bfloat16" in str(getattr(x, "dtype", "")) and hasattr(x, "float"):
        x = x.float()
    return x


def _unpack(eval_prediction):
    if hasattr(eval_prediction, "predictions") and hasattr(eval_prediction, "label_ids"):
        scores, truth = eval_prediction.predictions, eval_prediction.label_ids
    elif isinstance(eval_prediction, (tuple, list)) and len(eval_prediction) == 2:
        scores, truth = eval_prediction
    else:
        raise InputError(
            "compute_metrics expected an EvalPrediction (with predictions and label_ids) or a "
            f"(predictions, label_ids) pair, got {type(eval_prediction).__name__}."
        )
    if isinstance(scores, (tuple, list)) and scores and not np.isscalar(scores[0]) \
            and np.ndim(_host(scores[0])) == 2:
        scores = scores[0]  # (logits, hidden_states, ...): the logits
    if truth is None:
        raise InputError("compute_metrics got no label_ids: the evaluation set has no labels. "
                         "Give the dataset a 'labels' column of 0/1 rows (floats for "
                         "problem_type='multi_label_classification').")
    if isinstance(truth, (tuple, list)) and truth and np.ndim(_host(truth[0])) == 2:
        truth = truth[0]
    scores, truth = _host(scores), _host(truth)
    if np.ndim(scores) != 2:
        raise InputError(
            f"compute_metrics expected predictions of shape (n_samples, n_labels), one logit "
            f"per label, got shape {np.shape(scores)}; a multi-label model returns one score "
            "per label (problem_type='multi_label_classification')."
        )
    return scores, truth
