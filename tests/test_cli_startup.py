"""Start-up of the command line: what it imports, and the notice of a compilation."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from labelwise.cli import options as O


def _labelwise(*args, cwd, env_extra=None):
    code = textwrap.dedent("""
        import sys
        from labelwise.cli import main
        try:
            main(sys.argv[1:])
        except SystemExit as e:
            code = e.code
        else:
            code = 0
        print(sorted(m for m in ("numba", "scipy", "pandas", "rich") if m in sys.modules),
              file=sys.stderr)
        sys.exit(code)
    """)
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=cwd, env=env, check=False)


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(3)
    header = ",".join(f"l{j}" for j in range(6))
    for name, density in (("true.csv", 0.3), ("pred.csv", 0.3)):
        m = (rng.random((300, 6)) < density).astype(int)
        np.savetxt(tmp_path / name, m, fmt="%d", delimiter=",", header=header, comments="")
    return tmp_path


def test_a_small_hard_label_run_loads_no_kernels_and_says_nothing_of_compiling(files):
    for fmt in ("table", "json"):
        proc = _labelwise("evaluate", "--true", "true.csv", "--pred", "pred.csv",
                          "--format", fmt, cwd=files,
                          env_extra={"NUMBA_CACHE_DIR": str(files / "empty-cache")})
        assert proc.returncode == 0, proc.stderr
        assert "compiling" not in proc.stderr
        assert "subset_accuracy" in proc.stdout
        loaded = proc.stderr.strip().splitlines()[-1]
        assert "numba" not in loaded and "scipy" not in loaded and "pandas" not in loaded
        if fmt == "json":
            assert "rich" not in loaded


def test_compile_notice_names_the_expected_wait():
    assert O.compile_notice("labelwise._kernels.csr_counts") == (
        "labelwise: compiling fast kernels, once: about 4 s (later runs load them from the "
        "cache).")
    assert "about 5 s" in O.compile_notice("labelwise._rank_kernels.dense_rows")


_MODULE = '''
from labelwise._jit import njit


@njit
def fresh(x):
    return x * 3
'''


@pytest.fixture
def fresh_kernel(tmp_path, monkeypatch):
    (tmp_path / "fresh_mod.py").write_text(_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("fresh_mod", None)
    import fresh_mod

    yield fresh_mod
    sys.modules.pop("fresh_mod", None)


def test_a_command_announces_a_compilation_once_on_stderr(fresh_kernel, capsys):
    @O.guarded
    def body():
        fresh_kernel.fresh(2)
        fresh_kernel.fresh(2.5)  # a second compilation: no second notice
        return "done"

    assert body() == "done"
    err = capsys.readouterr().err
    assert err.count("compiling fast kernels, once: about") == 1
    assert err.endswith("(later runs load them from the cache).\n")

    @O.guarded
    def warm():
        return fresh_kernel.fresh(4)  # compiled already: nothing to announce

    assert warm() == 12
    assert capsys.readouterr().err == ""


def test_the_demo_compiles_the_kernels_of_large_inputs_once(capsys):
    from labelwise import demo

    first = demo.compile_kernels()
    out = capsys.readouterr().out
    assert out == "" if not first else out.startswith(
        "\nCompiling the kernels of large inputs, once")
    assert demo.compile_kernels() == []  # loaded now: nothing to compile, nothing said
    assert capsys.readouterr().out == ""
