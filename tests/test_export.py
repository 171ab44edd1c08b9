"""labelwise.export: reports as flat dicts for trackers, and as pandas/polars frames."""

from __future__ import annotations

import importlib.util
import json
import math

import numpy as np
import pytest

import labelwise
from labelwise.export import safe_key
from labelwise.registry import lookup


@pytest.fixture(scope="module")
def report():
    rng = np.random.default_rng(5)
    y = (rng.random((200, 4)) < 0.3).astype(int)
    y[:, 3] = 1  # label d has no negative: its specificity is undefined with nan
    s = np.clip(y * 0.4 + rng.random((200, 4)) * 0.6, 0, 1)
    return labelwise.evaluate(y, y_score=s, labels=["a", "b", "c", "d"],
                              zero_division=float("nan"))


@pytest.fixture(scope="module")
def with_ci():
    rng = np.random.default_rng(6)
    y = (rng.random((150, 3)) < 0.4).astype(int)
    p = np.where(rng.random((150, 3)) < 0.8, y, 1 - y)
    return labelwise.evaluate(y, p, ci=0.9, seed=0, n_bootstrap=100)


def test_flat_dict_holds_every_defined_metric_as_float(report):
    flat = report.to_flat_dict(prefix="val/")
    defined = {k: v for k, v in report.metrics.items() if not math.isnan(v)}
    assert flat == {f"val/{k}": v for k, v in defined.items()}
    assert all(type(v) is float for v in flat.values())
    json.dumps(flat, allow_nan=False)  # no NaN surprises for the trackers


def test_per_label_keys_and_the_nan_flag(report):
    flat = report.to_flat_dict(per_label=True)
    families = [c for c in report.per_label.columns
                if c not in ("label", "support", "tp", "fp", "fn", "tn")]
    for column in families:
        for j, label in enumerate(report.per_label["label"]):
            value = float(report.per_label[column][j])
            key = f"{column}/{label}"
            assert (key not in flat) if math.isnan(value) else flat[key] == value
    assert "specificity/d" not in flat and "specificity/c" in flat
    kept = report.to_flat_dict(per_label=["specificity"], nan="keep")
    assert math.isnan(kept["specificity/d"])
    zero = report.to_flat_dict(per_label=["specificity"], nan=0.0)
    assert zero["specificity/d"] == 0.0
    counts = report.to_flat_dict(per_label=["support", "tp"], sep=".")
    assert counts["support.a"] == report.per_label["support"][0]
    assert counts["tp.c"] == report.per_label["tp"][2]


def test_intervals_join_the_flat_dict_when_asked(with_ci):
    flat = with_ci.to_flat_dict(prefix="test_", ci=True)
    for name, (lo, hi) in with_ci.ci.items():
        assert flat[f"test_{name}/ci_low"] == lo and flat[f"test_{name}/ci_high"] == hi
    assert not any(k.endswith("ci_low") for k in with_ci.to_flat_dict())


def test_label_names_are_made_safe_and_kept_apart():
    r = labelwise.evaluate([[1, 0, 1], [0, 1, 1]], [[1, 0, 0], [0, 1, 1]],
                           labels=["rock&roll", "rock?roll", "jazz (live)"])
    flat = r.to_flat_dict(per_label=["f1"])
    assert [k for k in flat if k.startswith("f1/")] == \
        ["f1/rock_roll_0", "f1/rock_roll_1", "f1/jazz _live_"]
    assert flat["f1/rock_roll_1"] == r.per_label["f1"][1]
    assert safe_key("a\nb") == "a_b" and safe_key("   ") == "_"


@pytest.mark.parametrize("kwargs,message", [
    ({"nan": "drop"}, "nan must be 'omit', 'keep' or a number to put in place of NaN, got 'drop'"),
    ({"nan": None}, "nan must be 'omit', 'keep' or a number to put in place of NaN, got None"),
    ({"per_label": ["f2"]}, "per_label names ['f2'], which the per-label table does not have"),
    ({"per_label": ["label"]}, "per_label names ['label']"),
    ({"per_label": 3}, "per_label must be True, False or a list of per-label columns"),
    ({"prefix": 1}, "prefix and sep must be strings, got prefix=1"),
])
def test_bad_flat_dict_arguments_say_what_to_do(report, kwargs, message):
    with pytest.raises(labelwise.InputError) as err:
        report.to_flat_dict(**kwargs)
    assert message in str(err.value)


def test_to_pandas_gives_one_row_per_metric(report):
    pd = pytest.importorskip("pandas")
    df = report.to_pandas()
    assert list(df.columns) == ["metric", "value", "direction", "reading", "family", "average",
                                "k"]
    assert list(df["metric"]) == list(report.metrics)
    for row in df.itertuples():
        m = lookup(row.metric)
        value = report.metrics[row.metric]
        assert (math.isnan(row.value) and math.isnan(value)) or row.value == value
        assert (row.direction, row.family) == (m.direction, m.family)
        reading = None if pd.isna(row.reading) else row.reading  # missing, as pandas has it
        assert reading == report.interpretation.get(row.metric)
    assert df.set_index("metric").loc["precision_at_3", "k"] == 3


def test_to_pandas_has_the_intervals_when_computed(with_ci):
    pytest.importorskip("pandas")
    df = with_ci.to_pandas().set_index("metric")
    for name, (lo, hi) in with_ci.ci.items():
        assert (df.loc[name, "ci_low"], df.loc[name, "ci_high"]) == (lo, hi)


def test_per_label_to_pandas(report):
    pytest.importorskip("pandas")
    df = report.per_label.to_pandas()
    assert list(df.columns) == list(report.per_label.columns)
    assert list(df["label"]) == list(report.labels)
    for column in report.per_label.columns[1:]:
        np.testing.assert_array_equal(df[column].to_numpy(), report.per_label[column])


HAS_POLARS = importlib.util.find_spec("polars") is not None


@pytest.mark.skipif(not HAS_POLARS, reason="polars is not installed (pip install polars); "
                                           "to_polars() is then refused, as tested below")
def test_to_polars_matches_to_pandas(report, with_ci):
    pytest.importorskip("pandas")
    for r in (report, with_ci):
        pl_df, pd_df = r.to_polars(), r.to_pandas()
        assert pl_df.columns == list(pd_df.columns)
        assert pl_df["metric"].to_list() == list(pd_df["metric"])
        np.testing.assert_array_equal(pl_df["value"].to_numpy(), pd_df["value"].to_numpy())
    table = report.per_label.to_polars()
    assert table.columns == list(report.per_label.columns)
    np.testing.assert_array_equal(table["f1"].to_numpy(), report.per_label["f1"])


@pytest.mark.skipif(HAS_POLARS, reason="polars is installed: the missing-polars error cannot occur")
def test_to_polars_without_polars_names_the_package(report):
    for call in (report.to_polars, report.per_label.to_polars):
        with pytest.raises(ImportError, match=r"needs polars, which is not installed: "
                                              r"pip install polars"):
            call()


def test_to_pandas_without_pandas_names_the_package(report, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now fails
    with pytest.raises(ImportError, match=r"report.to_pandas\(\) needs pandas, which is not "
                                          r"installed: pip install pandas"):
        report.to_pandas()
