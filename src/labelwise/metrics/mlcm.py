"""The multi-label confusion matrix (MLCM) of Heydarian et al. (IEEE Access, 2022)."""

from __future__ import annotations

from .._validate import check_sample_weight, coerce_pair
from ..mlcm import check_normalize, mlcm_counts, normalize_mlcm

__all__ = ["mlcm"]


def mlcm(y_true, y_pred, *, labels=None, normalize=None, sample_weight=None):
    """Multi-label confusion matrix (MLCM) of Heydarian, Doyle and Samavi (2022).

    A two-dimensional confusion matrix for multi-label data, with one extra
    row, *no true label* (NTL), for samples without a true label, and one extra
    column, *no predicted label* (NPL), for samples without a prediction.
    Rows are true labels and columns predicted labels, so the diagonal holds
    the correct predictions and every off-diagonal cell says which true label
    a wrong or missing prediction is counted against.

    Each sample, with true set ``T`` and predicted set ``P``, adds its weight
    to these cells:

    1. ``T`` and ``P`` empty: ``[NTL, NPL]``;
    2. ``T`` empty, ``P`` not: ``[NTL, p]`` for each predicted ``p``;
    3. ``P`` empty, ``T`` not: ``[t, NPL]`` for each true ``t``;
    4. both non-empty: ``[l, l]`` for each correct label ``l`` in ``T & P``;
       then, with the missing labels ``M = T - P`` and the extra labels
       ``E = P - T``, the paper's three categories:

       * only missing labels: ``[m, NPL]`` for each ``m`` in ``M``;
       * only extra labels: ``[t, e]`` for each true ``t`` and each ``e`` in
         ``E`` (an extra label is confused with every true label);
       * missing and extra labels: ``[m, e]`` for each ``m`` in ``M`` and each
         ``e`` in ``E``, and nothing in NPL.

    Parameters
    ----------
    y_true, y_pred : array-like, sparse matrix, DataFrame or list of label sets
        Truth and predicted labels, in any form :func:`labelwise.evaluate`
        takes: 0/1 matrices of shape ``(n_samples, q)``, label-set lists,
        delimited strings, DataFrames.
    labels : sequence, optional
        The label vocabulary, in row and column order. For label sets it also
        fixes which labels get a row and a column (a label never seen still
        gets them); for a matrix it names the columns, one name per column.
        Without it: the DataFrame columns, the sorted union of the labels in
        both label sets, or the column order of the matrices.
    normalize : {None, "true", "pred", "all"}, default=None
        ``None`` gives the counts; ``"true"`` divides each row by its sum (the
        rows sum to 1), ``"pred"`` each column by its sum, ``"all"`` the matrix
        by its total. A row or column whose sum is 0 (a label that is never
        true, or never predicted) stays 0.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights, not all zero; each sample adds its weight
        instead of 1 to each of its cells.

    Returns
    -------
    ndarray of shape (q + 1, q + 1)
        int64 counts when unweighted and not normalised, else float64. Row
        ``i < q`` is true label ``labels[i]`` and row ``q`` is NTL; column
        ``j < q`` is predicted label ``labels[j]`` and column ``q`` is NPL.

    Raises
    ------
    labelwise.InputError
        For input that is not 0/1 (or not label sets), shapes that differ,
        bad weights, or a ``normalize`` not listed above.

    See Also
    --------
    labelwise.mlcm.mlcm_counts : the same counts from canonical input, an
        additive state (the counts of two chunks sum to those of the whole).
    multilabel_confusion_matrix : one 2 x 2 matrix per label.

    Notes
    -----
    The authors' ``mlcm`` package (``mlcm.cm``) gives the same matrix except
    for a sample with a correct label, a missing label and two or more extra
    labels: it pairs the missing labels with the lowest-numbered extra label
    only, and counts each further extra label against every true label. Here
    every missing label is paired with every extra label, as the category
    rules above say. For ``T = {0, 1}`` and ``P = {0, 2, 3}`` this function
    adds ``[0, 0]``, ``[1, 2]`` and ``[1, 3]``; that package adds ``[0, 0]``,
    ``[1, 2]``, ``[0, 3]`` and ``[1, 3]``.

    A row does not sum to its label's support in general: a true label
    confused with two extra labels is counted in both their columns.

    References
    ----------
    M. Heydarian, T. E. Doyle and R. Samavi, "MLCM: Multi-Label Confusion
    Matrix", IEEE Access, vol. 10, pp. 19083-19095, 2022,
    doi:10.1109/ACCESS.2022.3151048.

    Examples
    --------
    The example of the paper's companion code, three labels over nine samples:

    >>> from labelwise.metrics import mlcm
    >>> y_true = [[1, 1, 0], [1, 1, 1], [0, 0, 0], [1, 0, 0], [1, 1, 0],
    ...           [0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 0]]
    >>> y_pred = [[1, 1, 0], [1, 0, 1], [0, 0, 0], [1, 1, 1], [1, 1, 1],
    ...           [0, 1, 1], [0, 1, 1], [1, 0, 1], [0, 0, 1]]
    >>> mlcm(y_true, y_pred)
    array([[5, 2, 4, 0],
           [0, 2, 3, 1],
           [0, 0, 1, 0],
           [0, 1, 1, 1]])
    >>> mlcm(y_true, y_pred, normalize="true").round(3)
    array([[0.455, 0.182, 0.364, 0.   ],
           [0.   , 0.333, 0.5  , 0.167],
           [0.   , 0.   , 1.   , 0.   ],
           [0.   , 0.333, 0.333, 0.333]])

    Label sets, with ``labels`` fixing the rows and columns:

    >>> mlcm([["cat"], [], ["cat", "dog"]], [["dog"], ["dog"], ["cat"]],
    ...      labels=["cat", "dog", "fox"])
    array([[1, 1, 0, 0],
           [0, 0, 0, 1],
           [0, 0, 0, 0],
           [0, 1, 0, 0]])
    """
    check_normalize(normalize)
    data = coerce_pair(y_true, y_pred, labels=labels)
    w = check_sample_weight(sample_weight, data.n_samples, data.index)
    return normalize_mlcm(mlcm_counts(data.y_true, data.y_pred, w), normalize)
