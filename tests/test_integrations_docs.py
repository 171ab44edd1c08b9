"""docs/integrations.md and docs/ci.md show what really happens.

The ``>>>`` examples of docs/integrations.md run as doctests; the GitHub Actions job
of docs/ci.md runs its labelwise commands on the shipped example files, and the
output quoted on the page must be what they print.
"""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_integrations_page_examples_run():
    pytest.importorskip("sklearn")
    pytest.importorskip("pandas")
    result = doctest.testfile(str(ROOT / "docs" / "integrations.md"), module_relative=False,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                              report=True, verbose=False)
    assert result.attempted > 10
    assert result.failed == 0


# --------------------------------------------------------------------------
# docs/ci.md
# --------------------------------------------------------------------------

import os
import re
import subprocess
import sys

CI_MD = ROOT / "docs" / "ci.md"


def _job():
    yaml = pytest.importorskip("yaml")
    block = re.search(r"```yaml\n(.*?)```", CI_MD.read_text(), flags=re.S).group(1)
    (job,) = yaml.safe_load(block)["jobs"].values()
    return job


@pytest.fixture
def workspace(tmp_path):
    """A checkout: the job's files in place, the accepted model's report as the baseline."""
    job = _job()
    env = dict(os.environ, PYTHONUNBUFFERED="1",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
               GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"))
    env.update({k: str(ROOT / v) for k, v in job["env"].items()})
    (tmp_path / "baseline").mkdir()
    subprocess.run(["labelwise", "evaluate", "--true", env["TRUTH"], "--scores",
                    str(ROOT / "examples/data/yeast_scores_c001.csv"), "--id-column", "id",
                    "--format", "json", "--output", "baseline/report.json"],
                   cwd=tmp_path, env=env, check=True)
    return tmp_path, env, job


def _bash(command, cwd, env):
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True,
                          text=True)


@pytest.mark.slow
def test_ci_job_runs_as_written(workspace):
    cwd, env, job = workspace
    steps = [s for s in job["steps"] if "labelwise evaluate" in s.get("run", "")
             or "labelwise diff" in s.get("run", "")]
    assert [s["name"] for s in steps] == ["Evaluate (JSON report)",
                                          "Gate on macro F1 (Markdown report in the job summary)",
                                          "Compare with the accepted model"]
    codes = [_bash(s["run"], cwd, env).returncode for s in steps]
    assert codes == [0, 1, 1]  # the example model misses the bound and the margin
    assert (cwd / "report.json").is_file()
    summary = (cwd / "summary.md").read_text()
    assert summary.startswith("**labelwise report**: 917 samples, 14 labels")
    assert "| metric | old | new | change | verdict |" in summary
    upload = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    assert upload and upload[0]["with"]["path"] == "report.json"
    assert upload[0]["if"] == steps[2]["if"] == "${{ !cancelled() }}"


def _console_examples():
    out = []
    for block in re.findall(r"```console\n(.*?)```", CI_MD.read_text(), flags=re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, *lines = chunk.rstrip("\n").split("\n")
            out.append((command, lines))
    return out


@pytest.mark.slow
def test_ci_page_quotes_real_output(workspace):
    cwd, env, job = workspace
    for s in job["steps"]:  # the job first, so that the summary and report.json exist
        if "labelwise" in s.get("run", "") and "pip" not in s["run"]:
            _bash(s["run"], cwd, env)
    examples = _console_examples()
    assert len(examples) == 3
    for command, quoted in examples:
        proc = _bash("{ " + command + "; } 2>&1", cwd, env)
        real = proc.stdout.rstrip("\n").split("\n")
        assert real == quoted, (command, real)
