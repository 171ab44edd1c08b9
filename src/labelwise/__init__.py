"""labelwise: evaluate multi-label classifiers.

>>> import labelwise
>>> labelwise.evaluate([[1, 0], [0, 1]], [[1, 0], [1, 1]])["subset_accuracy"]
0.5
"""

from . import metrics
from .comparison import Comparison, compare
from .counts import Counts
from .diagnose import Finding, check_leakage
from .errors import InputError, LabelwiseError, RowOrderWarning, UndefinedMetricWarning
from .engine import Accumulator
from .evaluation import evaluate
from .propensity import inverse_propensity
from .registry import REGISTRY, Metric, metric_names
from .report import PerLabelTable, Report
from .thresholds import ThresholdCurve, Thresholds, threshold_curve, tune_thresholds

__version__ = "0.1.0"

__all__ = [
    "evaluate",
    "compare",
    "Comparison",
    "Accumulator",
    "tune_thresholds",
    "Thresholds",
    "threshold_curve",
    "ThresholdCurve",
    "metrics",
    "Counts",
    "Report",
    "PerLabelTable",
    "REGISTRY",
    "Metric",
    "metric_names",
    "inverse_propensity",
    "Finding",
    "check_leakage",
    "InputError",
    "LabelwiseError",
    "UndefinedMetricWarning",
    "RowOrderWarning",
    "__version__",
]
