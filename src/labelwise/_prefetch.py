"""A hint for compiled loops: ask the cache for a line the loop reads soon.

A loop that streams through memory it has not read before waits on each new cache
line unless the line was asked for ahead; the hardware's own prefetching does not
run far enough ahead for the counting kernels. The hint changes no value, and an
address beyond the array does not fault (the kernels clamp theirs anyway).

numba's cache checks the source file of each kernel only: after an edit here, empty
the cache (``NUMBA_CACHE_DIR``, or the ``__pycache__`` folders beside the kernels) so
that the kernels using these hints compile again.
"""

from __future__ import annotations

from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic

__all__ = ["prefetch", "prefetch_at"]


def _hint(builder, ptr) -> None:
    i8p = ir.IntType(8).as_pointer()
    i32 = ir.IntType(32)
    fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
    fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0i8")
    builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])  # read, keep, data


@intrinsic
def prefetch(typingctx, arr, i, j):  # pragma: no cover - compiled
    """Ask the cache for the line holding ``arr[i, j]`` (a 2-D array)."""
    if not (isinstance(arr, types.Array) and arr.ndim == 2):
        return None

    def codegen(context, builder, sig, args):
        aryty = sig.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        inds = [context.cast(builder, v, ty, types.intp) for v, ty in zip(args[1:], sig.args[1:])]
        _hint(builder, cgutils.get_item_pointer(context, builder, aryty, ary, inds))
        return context.get_dummy_value()

    return types.void(arr, i, j), codegen


@intrinsic
def prefetch_at(typingctx, flat, offset):  # pragma: no cover - compiled
    """Ask the cache for the line holding ``flat[offset]`` (a 1-D C-contiguous array)."""
    if not (isinstance(flat, types.Array) and flat.ndim == 1 and flat.layout == "C"
            and isinstance(offset, types.Integer)):
        return None

    def codegen(context, builder, sig, args):
        ary = context.make_array(sig.args[0])(context, builder, args[0])
        at = context.cast(builder, args[1], sig.args[1], types.intp)
        _hint(builder, builder.gep(ary.data, [at]))
        return context.get_dummy_value()

    return types.void(flat, offset), codegen
