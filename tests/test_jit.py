"""Lazy kernels (labelwise._jit): nothing compiled or imported until first use."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from labelwise import _jit
from labelwise._jit import LazyKernel, njit


def _run(code: str, env_extra=None, cwd=None) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=env, cwd=cwd, check=False)


def test_import_labelwise_imports_neither_numba_nor_scipy():
    proc = _run("""
        import sys
        import labelwise
        print(sorted(m for m in ("numba", "scipy", "scipy.sparse", "pandas", "pyarrow")
                     if m in sys.modules))
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_small_hard_label_evaluate_never_loads_numba():
    proc = _run("""
        import sys
        import numpy as np
        import labelwise
        rng = np.random.default_rng(0)
        t = rng.random((500, 7)) < 0.3
        p = rng.random((500, 7)) < 0.3
        r = labelwise.evaluate(t, p, sample_weight=rng.random(500))
        r = labelwise.evaluate(t, p)
        print(r["hamming_loss"] > 0, "numba" in sys.modules, "scipy" in sys.modules)
    """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "False", "False"]


def test_kernel_modules_hold_lazy_kernels_until_called():
    proc = _run("""
        import labelwise._kernels as k, labelwise._rank_kernels as r, sys
        print(type(k.csr_counts).__name__, type(r.dense_rows).__name__, "numba" in sys.modules)
    """)
    assert proc.stdout.split() == ["LazyKernel", "LazyKernel", "False"], proc.stderr


# A module of kernels written to disk, as the package's are (numba caches by file).
_MODULE = '''
import numpy as np
from labelwise._jit import njit


@njit(cache=True, inline="always")
def _twice(x):
    return 2 * x


@njit(cache=True)
def _plus_one(x):
    return x + 1


@njit(cache=True)
def total(a):
    """Sum of 2 * a + 1."""
    s = 0.0
    for v in a:
        s += _plus_one(_twice(v))
    return s


@njit
def bare(x):
    return x - 1
'''


@pytest.fixture
def kernels(tmp_path, monkeypatch):
    (tmp_path / "lazy_mod.py").write_text(_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "cache"))
    sys.modules.pop("lazy_mod", None)
    import lazy_mod

    yield lazy_mod
    sys.modules.pop("lazy_mod", None)


def test_a_kernel_calling_kernels_compiles_and_rebinds_its_module(kernels):
    total = kernels.total
    assert isinstance(total, LazyKernel) and not total.materialised
    assert total.__doc__ == "Sum of 2 * a + 1." and total.__name__ == "total"
    assert total(np.arange(4.0)) == 16.0
    assert total.materialised
    # every kernel of the module is now a numba dispatcher in its namespace
    from numba.core.registry import CPUDispatcher

    for name in ("total", "_plus_one", "_twice", "bare"):
        assert isinstance(getattr(kernels, name), CPUDispatcher), name
    # the lazy object keeps forwarding calls and attributes
    assert total(np.ones(2)) == 6.0
    assert len(total.signatures) == 1
    assert total.py_func(np.ones(2)) == 6.0
    assert kernels.bare(3) == 2


def test_attribute_access_materialises(kernels):
    lazy = kernels._plus_one
    assert lazy.signatures == []
    assert lazy.materialised and "compiled" in repr(lazy)


def test_repr_and_pickle_refer_to_the_module_level_kernel(kernels):
    lazy = kernels.bare
    assert repr(lazy) == "<lazy kernel lazy_mod.bare>"
    again = pickle.loads(pickle.dumps(lazy))
    assert again is lazy


def test_on_compile_hears_cache_misses_only(kernels):
    heard = []
    remove = _jit.on_compile(heard.append)
    try:
        kernels.total(np.arange(3.0))
        assert "lazy_mod.total" in heard
        heard.clear()
        kernels.total(np.arange(5.0))  # same types: no compilation
        assert heard == []
    finally:
        remove()
    kernels.bare(1.5)  # a new signature, but nobody is listening any more
    assert heard == []


def test_a_second_process_loads_from_the_cache_and_hears_nothing(tmp_path):
    (tmp_path / "lazy_mod.py").write_text(_MODULE)
    code = """
        import numpy as np
        from labelwise import _jit
        heard = []
        _jit.on_compile(heard.append)
        import lazy_mod
        print(lazy_mod.total(np.arange(4.0)), len(heard) > 0)
    """
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(tmp_path)}
    first = _run(code, env, cwd=tmp_path)
    second = _run(code, env, cwd=tmp_path)
    assert first.stdout.split() == ["16.0", "True"], first.stderr
    assert second.stdout.split() == ["16.0", "False"], second.stderr


def test_njit_refuses_signatures():
    with pytest.raises(TypeError, match="takes keyword options only, no signatures"):
        njit("float64(float64)")


def test_a_cache_older_than_a_borrowed_kernels_source_is_emptied(tmp_path):
    import os
    from types import SimpleNamespace

    from labelwise import _jit

    index, source = tmp_path / "k.nbi", tmp_path / "other_kernels.py"
    index.write_text("")
    source.write_text("")
    os.utime(index, (1_000, 1_000))
    os.utime(source, (2_000, 2_000))  # the other module was edited after the cache
    flushed = []

    def dispatcher():
        cache = SimpleNamespace(_cache_file=SimpleNamespace(_index_path=str(index)),
                                flush=lambda: flushed.append(1))
        return SimpleNamespace(_cache=cache)

    _jit._forget_stale([dispatcher()], {str(source)})
    assert flushed == [1]
    os.utime(index, (3_000, 3_000))  # a cache written after the edit is kept
    _jit._forget_stale([dispatcher()], {str(source)})
    assert flushed == [1]
    _jit._forget_stale([dispatcher()], set())  # no kernel from elsewhere: nothing to do
    _jit._forget_stale([dispatcher()], {str(tmp_path / "missing.py")})
    assert flushed == [1]


def test_kernels_that_call_another_modules_kernels_run_after_the_check():
    import numpy as np
    import scipy.sparse as sp

    from labelwise.metrics import precision_at_k

    t = np.array([[1, 0, 1, 0], [0, 1, 0, 0]])
    s = np.array([[0.9, 0.8, 0.1, 0.3], [0.2, 0.7, 0.0, 0.1]])
    # the sparse path's kernels inline helpers of _rank_kernels (hand-checked: 2 of 4)
    assert precision_at_k(t, sp.csr_matrix(s), k=2) == precision_at_k(t, s, k=2) == 0.5
