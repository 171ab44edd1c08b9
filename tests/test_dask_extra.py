"""labelwise without the dask extra, and ``labelwise evaluate --dask`` end to end."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

HIDE_DASK = (
    "import sys\n"
    "class Hide:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name == 'dask' or name.startswith('dask.') or name == 'distributed':\n"
    "            raise ImportError('no ' + name)\n"
    "sys.meta_path.insert(0, Hide())\n"
)


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", HIDE_DASK + code], capture_output=True,
                          text=True, timeout=120)


def test_labelwise_imports_and_evaluates_without_dask():
    proc = _python("import labelwise\n"
                   "print(labelwise.evaluate([[1, 0], [0, 1]], [[1, 0], [1, 1]])"
                   "['subset_accuracy'])\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "0.5"


def test_labelwise_dask_without_dask_names_the_extra():
    proc = _python("import labelwise.dask\n")
    assert proc.returncode != 0
    assert 'labelwise.dask needs Dask: pip install "labelwise[dask]"' in proc.stderr


def test_cli_dask_without_dask_names_the_extra(tmp_path):
    truth = tmp_path / "t.parquet"
    pd.DataFrame({"a": [1, 0], "b": [0, 1]}).to_parquet(truth, index=False)
    proc = _python("from labelwise.cli import main\n"
                   f"main(['evaluate', '--true', {str(truth)!r}, '--pred', {str(truth)!r}, "
                   "'--dask', 'local:1'])\n")
    assert proc.returncode == 2
    assert 'labelwise: error: --dask needs Dask: pip install "labelwise[dask]".' in proc.stderr


def test_cli_directory_without_dask_option_is_refused(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    result = CliRunner().invoke(main, ["evaluate", "--true", str(folder), "--pred",
                                       str(folder)])
    assert result.exit_code == 2
    assert "is a directory: give a file (--dask reads directories of Parquet partitions)" in \
        result.output


def test_cli_dask_bad_local_address_is_a_usage_error(tmp_path):
    truth = tmp_path / "t.parquet"
    pd.DataFrame({"a": [1, 0], "b": [0, 1]}).to_parquet(truth, index=False)
    result = CliRunner().invoke(main, ["evaluate", "--true", str(truth), "--pred", str(truth),
                                       "--dask", "local:zero"])
    assert result.exit_code == 2
    assert "give local:N with N >= 1 worker processes" in result.output


@pytest.mark.slow
def test_cli_dask_on_partitioned_parquet_equals_the_csv_path(tmp_path):
    """Directories and globs of Parquet partitions, joined by id on a local cluster of two
    worker processes, give the metrics of the in-memory run on the same rows as CSV."""
    pytest.importorskip("distributed")
    rng = np.random.default_rng(3)
    n, labels = 1200, ["l0", "l1", "l2", "l3"]
    y = rng.random((n, 4)) < 0.3
    s = np.clip(y * 0.3 + rng.random((n, 4)) * 0.7, 0, 1).round(4)
    ids = [f"s{i:04d}" for i in range(n)]
    truth = pd.DataFrame(y.astype(int), columns=labels)
    truth.insert(0, "id", ids)
    scores = pd.DataFrame(s, columns=labels)
    scores.insert(0, "id", ids)
    scores = scores.sample(frac=1, random_state=0)
    (tmp_path / "truth").mkdir()
    (tmp_path / "scores").mkdir()
    for k in range(3):
        truth.iloc[k * 400:(k + 1) * 400].to_parquet(tmp_path / "truth" / f"p{k}.parquet",
                                                     index=False)
    for k in range(4):
        scores.iloc[k * 300:(k + 1) * 300].to_parquet(tmp_path / "scores" / f"p{k}.parquet",
                                                      index=False)
    truth.to_csv(tmp_path / "truth.csv", index=False)
    scores.to_csv(tmp_path / "scores.csv", index=False)
    runner = CliRunner()
    on_dask = runner.invoke(main, [
        "evaluate", "--true", str(tmp_path / "truth"), "--scores",
        str(tmp_path / "scores" / "p*.parquet"), "--id-column", "id", "--dask", "local:2",
        "--auc", "exact", "--format", "json"])
    assert on_dask.exit_code == 0, on_dask.output
    local = runner.invoke(main, [
        "evaluate", "--true", str(tmp_path / "truth.csv"), "--scores",
        str(tmp_path / "scores.csv"), "--id-column", "id", "--format", "json"])
    assert local.exit_code == 0, local.output
    a = json.loads(on_dask.stdout[on_dask.stdout.index("{"):])
    b = json.loads(local.stdout[local.stdout.index("{"):])
    assert a["metrics"].keys() == b["metrics"].keys()
    for name, value in b["metrics"].items():
        assert a["metrics"][name] == pytest.approx(value, abs=1e-9, nan_ok=True), name
    assert a["inputs"]["rows"]["matched"] == n
    assert a["inputs"]["label_columns"] == labels
