"""``labelwise evaluate`` streams hard predictions: memory stays bounded on big files.

Two CSV files of 3,000,000 rows x 20 indicator columns (about 120 MB each) are
matched by position in a child process; its peak resident memory must stay
under 600 MB (the imports alone take about half of that), and its numbers must
equal those computed directly from the arrays.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import labelwise

N_ROWS = 3_000_000
LABELS = [f"l{j:02d}" for j in range(20)]
# Streamed without kept scores (hard labels, binned scores), the command's peak is its
# readers' buffers and pyarrow's pool, whatever the rows: measured 540-560 MB at
# 1,000,000 x 20 scores and under 600 MB at 3,000,000 x 20 labels; the limit leaves room
# for another machine's allocator.
PEAK_LIMIT_MB = 700


def write_indicator_csv(path, values: np.ndarray) -> None:
    """A 0/1 matrix as CSV text, built as bytes in chunks (no per-row Python)."""
    n, width = values.shape
    with open(path, "wb") as f:
        f.write((",".join(LABELS) + "\n").encode())
        for lo in range(0, n, 500_000):
            part = values[lo : lo + 500_000]
            buf = np.empty((part.shape[0], 2 * width), dtype=np.uint8)
            buf[:, 0::2] = part + ord("0")
            buf[:, 1::2] = ord(",")
            buf[:, -1] = ord("\n")
            f.write(buf.tobytes())


@pytest.fixture(scope="module")
def big_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    rng = np.random.default_rng(20240601)
    shape = (N_ROWS, len(LABELS))
    rates = np.linspace(0.02, 0.4, len(LABELS), dtype=np.float32)  # rare to common labels
    y_true = (rng.random(shape, dtype=np.float32) < rates).astype(np.uint8)
    flip = rng.random(shape, dtype=np.float32) < 0.1
    y_pred = np.where(flip, 1 - y_true, y_true).astype(np.uint8)
    del flip
    truth, pred = folder / "truth.csv", folder / "pred.csv"
    write_indicator_csv(truth, y_true)
    write_indicator_csv(pred, y_pred)
    return truth, pred, y_true, y_pred


# Started straight from pytest, a child's peak RSS would include pytest's own: Linux
# keeps the high-water mark of the memory a process had before exec (with vfork, the
# parent's). So a small Python process starts the command and reports its peak.
_MEASURE = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(args: list[str], out_path) -> tuple[int, float, str]:
    """Run the command; return its exit code, its peak RSS in MB and its stderr."""
    peak_file = f"{out_path}.peak"
    with open(out_path, "wb") as out:
        proc = subprocess.run([sys.executable, "-c", _MEASURE, peak_file, *args], stdout=out,
                              stderr=subprocess.PIPE, timeout=300)
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, else KiB
    with open(peak_file) as f:
        peak_mb = int(f.read()) * scale / 2**20
    return proc.returncode, peak_mb, proc.stderr.decode()


def test_big_files_stream_in_bounded_memory(big_files, tmp_path):
    truth, pred, y_true, y_pred = big_files
    out = tmp_path / "report.json"
    code, peak_mb, stderr = run_measured(
        [sys.executable, "-m", "labelwise", "evaluate", "--true", str(truth),
         "--pred", str(pred), "--format", "json"],
        out,
    )
    assert code == 0, stderr
    assert peak_mb < PEAK_LIMIT_MB, f"peak RSS {peak_mb:.0f} MB"
    doc = json.loads(out.read_text())
    assert doc["n_samples"] == N_ROWS and doc["labels"] == LABELS
    assert doc["inputs"]["rows"] == {"by": "position", "truth_rows": N_ROWS,
                                     "pred_rows": N_ROWS, "matched": N_ROWS, "left_out": {}}

    # counts and a few metrics straight from the arrays
    t, p = y_true.astype(bool), y_pred.astype(bool)
    tp = (t & p).sum(0)
    fp = (~t & p).sum(0)
    fn = (t & ~p).sum(0)
    assert [r["tp"] for r in doc["per_label"]] == tp.tolist()
    assert [r["fp"] for r in doc["per_label"]] == fp.tolist()
    assert [r["fn"] for r in doc["per_label"]] == fn.tolist()
    assert [r["tn"] for r in doc["per_label"]] == (N_ROWS - tp - fp - fn).tolist()
    m = doc["metrics"]
    assert m["f1_micro"] == pytest.approx(2 * tp.sum() / (2 * tp.sum() + fp.sum() + fn.sum()),
                                          rel=1e-12)
    assert m["hamming_loss"] == pytest.approx((t != p).mean(), rel=1e-12)
    assert m["subset_accuracy"] == pytest.approx((t == p).all(1).mean(), rel=1e-12)
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert m["f1_macro"] == pytest.approx(f1.mean(), rel=1e-12)

    # and every number equals the library's on the same arrays
    report = labelwise.evaluate(t, p, labels=LABELS)
    assert set(m) == set(report.metrics)
    for name, value in report.metrics.items():
        assert m[name] == pytest.approx(value, rel=1e-12, abs=1e-15), name


# --------------------------------------------------------------------------
# Scores stream too: exact while they fit in --memory-limit, binned past it
# --------------------------------------------------------------------------

N_SCORED = 1_000_000


def write_score_csv(path, scores_milli: np.ndarray) -> None:
    """Scores given in thousandths (0..999) as CSV text ``0.ddd``, built as bytes."""
    n, width = scores_milli.shape
    with open(path, "wb") as f:
        f.write((",".join(LABELS) + "\n").encode())
        for lo in range(0, n, 250_000):
            part = scores_milli[lo : lo + 250_000]
            buf = np.empty((part.shape[0], width, 6), dtype=np.uint8)
            buf[:, :, 0] = ord("0")
            buf[:, :, 1] = ord(".")
            buf[:, :, 2] = part // 100 + ord("0")
            buf[:, :, 3] = part // 10 % 10 + ord("0")
            buf[:, :, 4] = part % 10 + ord("0")
            buf[:, :, 5] = ord(",")
            buf[:, -1, 5] = ord("\n")
            f.write(buf.tobytes())


@pytest.fixture(scope="module")
def scored_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scored")
    rng = np.random.default_rng(7)
    shape = (N_SCORED, len(LABELS))
    rates = np.linspace(0.02, 0.4, len(LABELS), dtype=np.float32)
    y_true = (rng.random(shape, dtype=np.float32) < rates).astype(np.uint8)
    noise = rng.integers(0, 700, shape, dtype=np.int32)
    milli = np.minimum(noise + 300 * y_true.astype(np.int32), 999)
    truth, scores = folder / "truth.csv", folder / "scores.csv"
    write_indicator_csv(truth, y_true)
    write_score_csv(scores, milli)
    return truth, scores, y_true, milli / 1000.0


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["exact", "binned past the limit"])
def test_scores_stream_exact_or_binned(scored_files, tmp_path, mode):
    truth, scores, y_true, s = scored_files
    out = tmp_path / "report.json"
    args = [sys.executable, "-m", "labelwise", "evaluate", "--true", str(truth),
            "--scores", str(scores), "--format", "json"]
    if mode != "exact":
        args += ["--memory-limit", "20MB"]
    code, peak_mb, stderr = run_measured(args, out)
    assert code == 0, stderr
    doc = json.loads(out.read_text())
    report = labelwise.evaluate(y_true, y_score=s, labels=LABELS)
    m = doc["metrics"]
    # binned past the limit, the scores are not kept: no equal-mass (adaptive) ECE
    assert set(m) == set(report.metrics) - ({"ece_adaptive_macro"} if mode != "exact" else set())
    if mode == "exact":
        assert doc["params"]["auc"] == "exact"
        assert peak_mb < 1024, f"peak RSS {peak_mb:.0f} MB"
        for name, value in report.metrics.items():
            assert m[name] == pytest.approx(value, rel=1e-12, abs=1e-15), name
        return
    # the kept scores outgrew 20 MB: ROC-AUC and AP were binned, within their stated bounds
    assert peak_mb < PEAK_LIMIT_MB, f"peak RSS {peak_mb:.0f} MB"
    assert doc["params"]["auc"] == "binned" and "--memory-limit" in stderr
    for name, value in report.metrics.items():
        if name.startswith("roc_auc"):
            assert abs(m[name] - value) <= doc["params"]["auc_error_bound"] + 1e-12, name
        elif name.startswith("average_precision"):
            assert abs(m[name] - value) <= doc["params"]["ap_error_bound"] + 1e-12, name
        elif name != "ece_adaptive_macro":
            assert m[name] == pytest.approx(value, rel=1e-12, abs=1e-15), name
