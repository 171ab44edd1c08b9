"""Compiled kernels that cost nothing until they are first called.

``from ._jit import njit`` replaces ``from numba import njit`` in the kernel
modules: the decorator takes the same options, but numba is imported, and the
kernel loaded from its cache (or compiled), only when a kernel is first called
or one of its attributes is read. ``import labelwise`` therefore never imports
numba, and a run that needs no kernel never pays for it.

When one kernel of a module materialises, every lazy kernel in that module's
globals does too, and the module's names are rebound to the numba dispatchers,
so that numba sees real dispatchers when it compiles a kernel that calls
another (``inline="always"`` helpers included). Kernels found there that were
imported from other modules take their own modules along in the same way.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import threading

__all__ = ["LazyKernel", "njit", "materialise", "on_compile"]

_LOCK = threading.RLock()
_HOOKS: list = []  # callables(name) told when numba starts compiling a kernel
_LISTENING = False


def _build(kernel: "LazyKernel"):
    from numba import njit as numba_njit

    _listen()
    return numba_njit(**kernel._options)(kernel.py_func)


def _listen() -> None:
    """Register, once, a numba listener that passes each compilation on to the hooks.

    numba fires ``numba:compile`` only when it compiles, after its cache had no
    entry for the types, so loading a cached kernel tells the hooks nothing.
    """
    global _LISTENING
    if _LISTENING:
        return
    from numba.core import event

    class _Compiling(event.Listener):
        def on_start(self, ev):
            d = (ev.data or {}).get("dispatcher")
            f = getattr(d, "py_func", None)
            name = getattr(f, "__qualname__", "?")
            for hook in list(_HOOKS):
                hook(f"{getattr(f, '__module__', '?')}.{name}")

        def on_end(self, ev):
            pass

    event.register("numba:compile", _Compiling())
    _LISTENING = True


def on_compile(hook):
    """Call ``hook(name)`` whenever numba starts compiling a kernel (a cache miss).

    Parameters
    ----------
    hook : callable
        Called with the kernel's dotted name, before its compilation.

    Returns
    -------
    callable
        Removes the hook again.
    """
    _HOOKS.append(hook)
    if "numba" in sys.modules:  # kernels built directly with numba are watched as well
        _listen()

    def remove() -> None:
        if hook in _HOOKS:
            _HOOKS.remove(hook)

    return remove


def materialise(namespace: dict) -> None:
    """Turn every lazy kernel in ``namespace`` (a module's globals) into a dispatcher.

    The names in ``namespace`` are rebound to the dispatchers, and the modules of
    kernels found there that were defined elsewhere are materialised as well.

    Parameters
    ----------
    namespace : dict
        The globals of a module holding kernels, e.g. ``kernel.py_func.__globals__``.
    """
    with _LOCK:
        pending = [namespace]
        seen = set()
        while pending:
            g = pending.pop()
            if id(g) in seen:
                continue
            seen.add(id(g))
            built, borrowed = [], set()
            for name, value in list(g.items()):
                if isinstance(value, LazyKernel):
                    if value._dispatcher is None:
                        value._dispatcher = _build(value)
                    g[name] = value._dispatcher
                    home = value.py_func.__globals__
                    if home is g:
                        built.append(value._dispatcher)
                    else:
                        borrowed.add(value.py_func.__code__.co_filename)
                    if id(home) not in seen:
                        pending.append(home)
            _forget_stale(built, borrowed)


def _forget_stale(dispatchers, sources) -> None:
    """Empty the numba cache of ``dispatchers`` when it is older than one of
    ``sources``, the files of the kernels they call from other modules.

    numba's cache checks the source file of the kernel itself only, so a kernel that
    calls (or inlines) a kernel of another module would keep the machine code of that
    kernel's old source after an edit; emptying the cache makes numba compile again.
    """
    try:
        newest = max((os.stat(f).st_mtime for f in sources), default=None)
    except OSError:
        return
    if newest is None:
        return
    for d in dispatchers:
        cache = getattr(d, "_cache", None)
        index = getattr(getattr(cache, "_cache_file", None), "_index_path", None)
        try:
            if index is not None and os.stat(index).st_mtime < newest:
                cache.flush()
        except OSError:
            continue


class LazyKernel:
    """A kernel that becomes a numba dispatcher on first use.

    Calls and attribute reads (``signatures``, ``stats``, ``overloads``, ...) are
    forwarded to the dispatcher; ``py_func`` is the plain Python function.

    Parameters
    ----------
    py_func : callable
        The Python function to compile.
    options : dict
        Options for :func:`numba.njit`, e.g. ``cache=True, nogil=True``.
    """

    def __init__(self, py_func, options: dict):
        functools.update_wrapper(self, py_func)
        self.py_func = py_func
        self._options = dict(options)
        self._dispatcher = None

    @property
    def dispatcher(self):
        """The numba dispatcher (materialising the kernel's module if needed)."""
        d = self._dispatcher
        if d is None:
            materialise(self.py_func.__globals__)
            d = self._dispatcher
            if d is None:  # not reachable from its module's globals (renamed, deleted)
                with _LOCK:
                    if self._dispatcher is None:
                        self._dispatcher = _build(self)
                    d = self._dispatcher
        return d

    @property
    def materialised(self) -> bool:
        """Whether numba has built the dispatcher yet."""
        return self._dispatcher is not None

    def __call__(self, *args, **kwargs):
        d = self._dispatcher
        if d is None:
            d = self.dispatcher
        return d(*args, **kwargs)

    def __getattr__(self, name):
        if name.startswith("__") or name in ("_dispatcher", "_options", "py_func"):
            raise AttributeError(name)
        return getattr(self.dispatcher, name)

    def __reduce__(self):
        return (_resolve, (self.py_func.__module__, self.py_func.__qualname__))

    def __repr__(self) -> str:
        state = "compiled" if self.materialised else "lazy"
        return f"<{state} kernel {self.py_func.__module__}.{self.py_func.__qualname__}>"


def _resolve(module: str, qualname: str):
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def njit(*args, **options):
    """Decorate a kernel like :func:`numba.njit`, compiling it on first use.

    Use it as ``@njit(cache=True, nogil=True)`` or as a bare ``@njit``. Explicit
    signatures are not supported: they would compile eagerly.

    Parameters
    ----------
    *args : callable, optional
        The function, when used as a bare decorator.
    **options
        Options for :func:`numba.njit`.

    Returns
    -------
    LazyKernel or callable
        The lazy kernel, or a decorator that makes one.
    """
    if args:
        if len(args) == 1 and callable(args[0]) and not options:
            return LazyKernel(args[0], {})
        raise TypeError("labelwise._jit.njit takes keyword options only, no signatures")
    return lambda f: LazyKernel(f, options)
