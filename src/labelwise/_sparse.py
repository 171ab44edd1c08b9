"""``scipy.sparse``, imported only when a sparse matrix is built or read.

Modules write ``from . import _sparse as sp`` and use ``sp.csr_matrix``,
``sp.vstack``, ... as before: any name other than the checks below imports
:mod:`scipy.sparse` on first use and is taken from it.

The checks never import scipy: when :mod:`scipy.sparse` is not in
``sys.modules``, no object can be a scipy sparse matrix, so the answer is False.
"""

from __future__ import annotations

import sys

__all__ = ["issparse", "isspmatrix_csr", "loaded"]


def loaded() -> bool:
    """Whether :mod:`scipy.sparse` has been imported in this process.

    Returns
    -------
    bool
    """
    return "scipy.sparse" in sys.modules


def issparse(x) -> bool:
    """:func:`scipy.sparse.issparse`, without importing scipy.

    Parameters
    ----------
    x : object

    Returns
    -------
    bool
        True when ``x`` is a scipy sparse matrix or array.

    Examples
    --------
    >>> issparse([[1, 0]])
    False
    """
    m = sys.modules.get("scipy.sparse")
    return m is not None and m.issparse(x)


def isspmatrix_csr(x) -> bool:
    """:func:`scipy.sparse.isspmatrix_csr`, without importing scipy.

    Parameters
    ----------
    x : object

    Returns
    -------
    bool
    """
    m = sys.modules.get("scipy.sparse")
    return m is not None and m.isspmatrix_csr(x)


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    import scipy.sparse

    value = getattr(scipy.sparse, name)
    globals()[name] = value
    return value
