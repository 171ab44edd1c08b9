"""Metric functions: drop-in twins of scikit-learn's multi-label metrics, and more.

Each function gives one number (or one value per label) on its own, with the
same name, signature, defaults and result as its namesake in
:mod:`sklearn.metrics` for multi-label input where there is one. They take
every input kind :func:`labelwise.evaluate` takes. Import them from here; the
modules group them:

* :mod:`~labelwise.metrics.threshold`: from predicted labels:
  ``accuracy_score``, ``hamming_loss``, ``precision_score``, ``recall_score``,
  ``f1_score``, ``fbeta_score``, ``jaccard_score``,
  ``precision_recall_fscore_support``, ``multilabel_confusion_matrix`` and
  ``classification_report``;
* :mod:`~labelwise.metrics.ranking`: label ranking from scores:
  ``label_ranking_average_precision_score``, ``label_ranking_loss``,
  ``coverage_error``, ``one_error`` and ``ndcg_score``;
* :mod:`~labelwise.metrics.auc`: ``roc_auc_score`` and
  ``average_precision_score``, and the curves ``roc_curve``,
  ``precision_recall_curve``, ``roc_curves`` and ``precision_recall_curves``;
* :mod:`~labelwise.metrics.at_k`: for extreme classification,
  ``precision_at_k``, ``recall_at_k``, ``ndcg_at_k``, ``psprecision_at_k`` and
  ``psndcg_at_k``, also from sparse or top-k ``(indices, scores)`` scores;
* :mod:`~labelwise.metrics.calibration`: scores read as probabilities,
  ``calibration_curve``, ``ece``, ``brier_score`` and ``log_loss``.

The cutoff ``k`` is keyword-only everywhere. The inverse propensities of the
propensity-scored metrics come from :func:`labelwise.inverse_propensity`.
:mod:`labelwise.registry` names each registry metric's function here (its
*twin*).

Examples
--------
>>> from labelwise.metrics import f1_score, precision_at_k
>>> f1_score([[1, 0, 1], [0, 1, 0]], [[1, 0, 0], [0, 1, 1]], average="micro")
0.6666666666666666
>>> precision_at_k([[1, 0, 1, 0]], [[0.9, 0.8, 0.1, 0.3]], k=2)
0.5
"""

from .at_k import ndcg_at_k, precision_at_k, psndcg_at_k, psprecision_at_k, recall_at_k
from .auc import (
    average_precision_score,
    precision_recall_curve,
    precision_recall_curves,
    roc_auc_score,
    roc_curve,
    roc_curves,
)
from .calibration import brier_score, calibration_curve, ece, log_loss
from .mlcm import mlcm
from .ranking import (
    coverage_error,
    label_ranking_average_precision_score,
    label_ranking_loss,
    ndcg_score,
    one_error,
)
from .threshold import (
    accuracy_score,
    classification_report,
    f1_score,
    fbeta_score,
    hamming_loss,
    jaccard_score,
    multilabel_confusion_matrix,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)

__all__ = [
    "accuracy_score",
    "hamming_loss",
    "precision_score",
    "recall_score",
    "f1_score",
    "fbeta_score",
    "jaccard_score",
    "precision_recall_fscore_support",
    "multilabel_confusion_matrix",
    "classification_report",
    "label_ranking_average_precision_score",
    "label_ranking_loss",
    "coverage_error",
    "one_error",
    "roc_auc_score",
    "average_precision_score",
    "ndcg_score",
    "roc_curve",
    "precision_recall_curve",
    "roc_curves",
    "precision_recall_curves",
    "precision_at_k",
    "recall_at_k",
    "ndcg_at_k",
    "psprecision_at_k",
    "psndcg_at_k",
    "mlcm",
    "calibration_curve",
    "ece",
    "brier_score",
    "log_loss",
]
