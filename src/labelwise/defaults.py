"""The defaults of every entry point, in one place: the Python API, the command line
and the engine read them from here."""

THRESHOLD = 0.5  # predict when score > THRESHOLD
CUTOFFS = (1, 3, 5)  # the k of the *_at_k metrics
ZERO_DIVISION = 0
BETA = 2.0  # the beta of the fbeta_* metrics
AUC = "exact"  # ROC-AUC and AP: "exact" or "binned"
BINS = 10_000  # score bins of binned ROC-AUC and AP
SCORE_RANGE = (0.0, 1.0)  # what the bins cover
MEMORY_LIMIT = "2GB"  # the command line's budget for the scores kept for exact ROC-AUC
PROPENSITY_A, PROPENSITY_B = 0.55, 1.5  # the propensity model's usual constants
CALIBRATION_BINS = 15  # equal-width bins of the calibration errors (ECE)
