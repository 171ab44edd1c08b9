"""The @k metrics on real extreme-classification data: Bibtex.

Bibtex (I. Katakis, G. Tsoumakas, I. Vlahavas, "Multilabel Text Classification
for Automated Tag Suggestion", ECML/PKDD 2008 Discovery Challenge) is read from
``../shared/data/bibtex_xc`` beside the repository, in the Extreme
Classification Repository text format; nothing of it is stored here.

A cosine k-nearest-neighbour model trained on the train split scores every
label of every test sample; its top-5 predictions are evaluated three ways
(dense scores, top-k pairs, sparse top-k) and against a vectorised
implementation of the repository's definitions written here.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from labelwise import metrics as sm
from labelwise.propensity import inverse_propensity

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bibtex_xc"
ATOL = 1e-12
KS = (1, 3, 5)

pytestmark = pytest.mark.skipif(
    not DATA.is_dir(),
    reason=f"needs {DATA} (in the shared data folder beside the repository): Bibtex in the "
           "Extreme Classification Repository text format, data and split files; absent",
)


def read_xc(path: Path):
    """Features (CSR float) and labels (CSR bool) of an XC-format text file."""
    with open(path) as f:
        n, d, L = map(int, f.readline().split())
        y_rows, y_cols, x_rows, x_cols, x_vals = [], [], [], [], []
        count = 0
        for i, line in enumerate(f):
            labels, _, features = line.rstrip("\r\n").partition(" ")
            for lab in filter(None, labels.split(",")):
                y_rows.append(i)
                y_cols.append(int(lab))
            for item in features.split():
                j, v = item.split(":")
                x_rows.append(i)
                x_cols.append(int(j))
                x_vals.append(float(v))
            count += 1
    assert count == n, f"{path} announces {n} points but holds {count}"
    X = sp.csr_matrix((x_vals, (x_rows, x_cols)), shape=(n, d))
    Y = sp.csr_matrix((np.ones(len(y_rows), dtype=bool), (y_rows, y_cols)), shape=(n, L))
    return X, Y


def read_split(name: str) -> np.ndarray:
    return np.loadtxt(DATA / name, dtype=np.int64) - 1  # the files hold 1-based row ids


def knn_scores(X_train, Y_train, X_test, n_neighbours=10, chunk=500):
    """Sum of the neighbours' label vectors weighted by cosine similarity.

    A tie-breaker of at most 1e-9 prefers the more frequent label, so that every
    row's scores are distinct (the metrics of tied scores are checked elsewhere).
    """
    def unit_rows(X):
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        return sp.diags(1 / np.maximum(norms, 1e-12)) @ X

    A, B = unit_rows(X_test).tocsr(), unit_rows(X_train).T.tocsc()
    Yf = Y_train.astype(np.float64)
    out = []
    for start in range(0, A.shape[0], chunk):
        sim = (A[start : start + chunk] @ B).toarray()
        nb = np.argpartition(-sim, n_neighbours, axis=1)[:, :n_neighbours]
        rows = np.repeat(np.arange(sim.shape[0]), n_neighbours)
        weights = sp.csr_matrix(
            (np.take_along_axis(sim, nb, axis=1).ravel(), (rows, nb.ravel())), shape=sim.shape
        )
        out.append((weights @ Yf).toarray())
    scores = np.vstack(out)
    popularity = np.argsort(np.argsort(np.asarray(Y_train.sum(axis=0)).ravel(), kind="stable"))
    return scores + 1e-9 * popularity / Y_train.shape[1]


def xc_metrics(Y, ranked, k, inv_propensity) -> dict:
    """P@k, R@k, nDCG@k, PSP@k and PSnDCG@k from each row's labels in ranked order."""
    Y = np.asarray(Y.todense(), dtype=bool)
    top = ranked[:, :k]
    hits = np.take_along_axis(Y, top, axis=1)
    discount = 1 / np.log2(np.arange(2, k + 2))
    n_true = Y.sum(axis=1)
    has = n_true > 0
    ideal = np.concatenate([[1.0], np.cumsum(discount)])[np.minimum(k, n_true)]
    ps_gain = np.take_along_axis(np.broadcast_to(inv_propensity, Y.shape), top, axis=1) * hits
    best = -np.sort(-np.where(Y, inv_propensity, 0.0), axis=1)[:, :k]  # true labels only
    return {
        "precision": hits.sum() / (k * Y.shape[0]),
        "recall": np.sum(hits.sum(axis=1)[has] / n_true[has]) / Y.shape[0],
        "ndcg": np.sum((hits @ discount)[has] / ideal[has]) / Y.shape[0],
        "psprecision": ps_gain.sum() / best.sum(),
        "psndcg": np.sum((ps_gain @ discount)[has] / ideal[has])
        / np.sum((best @ discount)[has] / ideal[has]),
    }


@pytest.fixture(scope="module")
def bibtex():
    X, Y = read_xc(DATA / "Bibtex_data.txt")
    train, test = read_split("Bibtex_trSplit.txt"), read_split("Bibtex_tstSplit.txt")
    return X[train], Y[train], X[test], Y[test]


def test_bibtex_files_are_as_described(bibtex):
    X_train, Y_train, X_test, Y_test = bibtex
    assert X_train.shape == (4880, 1836) and X_test.shape == (2515, 1836)
    assert Y_train.shape == (4880, 159) and Y_test.shape == (2515, 159)
    # cardinality 2.402 over all 7,395 points (README: as in Mulan's table)
    assert (Y_train.nnz + Y_test.nnz) / 7395 == pytest.approx(2.402, abs=5e-4)


def test_at_k_metrics_on_bibtex(bibtex):
    X_train, Y_train, X_test, Y_test = bibtex
    scores = knn_scores(X_train, Y_train, X_test)
    n, L = scores.shape
    ordered = np.sort(scores, axis=1)
    assert (np.diff(ordered, axis=1) > 0).all(), "the scores must not tie"

    p = inverse_propensity(Y_train)  # A=0.55, B=1.5
    counts = np.asarray(Y_train.sum(axis=0)).ravel()
    C = (math.log(4880) - 1) * 2.5**0.55
    np.testing.assert_allclose(p, 1 + C * (counts + 1.5) ** -0.55, rtol=0, atol=ATOL)

    # top-5 pairs, deliberately not in score order
    top5 = np.argpartition(-scores, 5, axis=1)[:, :5]
    top5 = top5[:, ::-1].copy()
    pair = (top5, np.take_along_axis(scores, top5, axis=1))
    sparse_top5 = sp.csr_matrix((pair[1].ravel(), top5.ravel(), np.arange(0, 5 * n + 1, 5)),
                                shape=(n, L))
    ranked = np.argsort(-scores, axis=1, kind="stable")

    results = {}
    for k in KS:
        want = xc_metrics(Y_test, ranked, k, p)
        for name, value in want.items():
            kw = {"inv_propensity": p} if name.startswith("ps") else {}
            fn = getattr(sm, f"{name}_at_k")
            from_pair = fn(Y_test, pair, k=k, **kw)
            assert from_pair == pytest.approx(value, abs=ATOL), (name, k)
            assert fn(Y_test, scores, k=k, **kw) == pytest.approx(from_pair, abs=ATOL), (name, k)
            assert fn(Y_test, sparse_top5, k=k, **kw) == pytest.approx(from_pair, abs=ATOL)
            results[name, k] = from_pair

    # sane values: far above chance and above always predicting the popular labels
    base_rate = Y_test.nnz / (n * L)
    popular = np.argsort(-counts, kind="stable")
    popular_p1 = sm.precision_at_k(Y_test, (np.tile(popular[:5], (n, 1)),
                                            np.tile(np.arange(5.0, 0, -1), (n, 1))), k=1)
    assert base_rate < 0.02
    assert results["precision", 1] > 0.4
    assert results["precision", 1] > 2 * popular_p1
    assert results["precision", 1] > 20 * base_rate
    assert results["precision", 1] >= results["precision", 3] >= results["precision", 5]
    assert results["recall", 1] <= results["recall", 3] <= results["recall", 5] <= 1
    assert results["ndcg", 1] == pytest.approx(results["precision", 1], abs=ATOL)
    for k in KS:
        assert 0 < results["psprecision", k] < 1 and 0 < results["psndcg", k] < 1
    # propensity scoring rewards rare labels, which k-NN votes tend to miss
    assert results["psprecision", 1] < results["precision", 1]
