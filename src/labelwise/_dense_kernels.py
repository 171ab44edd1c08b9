"""Counting kernels for dense 0/1 matrices that read eight labels at a time.

:mod:`labelwise.counts` imports this module only for inputs large enough to need
compiled counting, so importing it imports numba. No validation and no defaults
here: the matrices arrive as flat, C-ordered ``uint8`` arrays of 0/1 bytes (see
:func:`flat_bytes`).

A row's bytes are read as 64-bit little-endian words, so one integer addition
counts eight labels: each byte of an accumulator word is the count of one label,
and the accumulators are flushed to int64 every 255 rows, before a byte could
overflow. The bytes of a word are summed by one multiplication
(``w * 0x0101010101010101 >> 56``), which gives each row's number of true labels,
predicted labels and both. Rows are then either counted into a histogram of
these triples, or their sizes written out.
"""

from __future__ import annotations

import sys

import numpy as np
from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic

from ._jit import njit
from ._prefetch import prefetch_at

__all__ = ["flat_bytes", "dense_counts", "dense_counts_narrow", "dense_counts_weighted",
           "unpack_lanes", "histograms_into", "row_key", "row_key_16"]

_LITTLE = sys.byteorder == "little"
# Bytes ahead of the rows in hand whose cache lines are asked for: data read for the
# first time streams a third faster (1M x 100 in 10,000-row calls: 24 to 16 ms)
_AHEAD = 2048


@intrinsic
def _word(typingctx, flat, offset):  # pragma: no cover - compiled
    """The bytes ``flat[offset:offset + 8]`` as a uint64, byte ``offset`` lowest
    (an unaligned load; ``flat`` is a 1-D C-contiguous uint8 array)."""
    if not (isinstance(flat, types.Array) and flat.ndim == 1 and flat.layout == "C"
            and flat.dtype == types.uint8 and isinstance(offset, types.Integer)):
        return None

    def codegen(context, builder, sig, args):
        ary = context.make_array(sig.args[0])(context, builder, args[0])
        at = context.cast(builder, args[1], sig.args[1], types.intp)
        ptr = builder.bitcast(builder.gep(ary.data, [at]), ir.IntType(64).as_pointer())
        value = builder.load(ptr, align=1)
        return value if _LITTLE else builder.bswap(value)

    return types.uint64(flat, offset), codegen


def flat_bytes(x: np.ndarray) -> np.ndarray:
    """The cells of a 2-D 0/1 matrix (bool, int8 or uint8) as a flat C-ordered
    ``uint8`` array of at least 8 bytes (zeros after the cells when it has fewer),
    as the kernels read it.

    Parameters
    ----------
    x : ndarray of shape (n, L)
        A matrix of 0/1 bytes, in any memory order.

    Returns
    -------
    ndarray of uint8, shape (max(n * L, 8),)
        A view of ``x`` when it is C-contiguous and has 8 cells or more, else a copy.

    Examples
    --------
    >>> flat_bytes(np.array([[True, False], [False, True]])).tolist()
    [1, 0, 0, 1, 0, 0, 0, 0]
    """
    flat = np.ascontiguousarray(x).view(np.uint8).reshape(-1)
    if flat.size >= 8:
        return flat
    out = np.zeros(8, dtype=np.uint8)
    out[: flat.size] = flat
    return out


@njit(cache=True, nogil=True, inline="always")
def _byte_sum(w):  # pragma: no cover
    """The sum of the eight bytes of ``w``, whatever their values (up to 2040)."""
    pairs = (w & np.uint64(0x00FF00FF00FF00FF)) + ((w >> np.uint64(8)) & np.uint64(0x00FF00FF00FF00FF))
    return np.int64((pairs * np.uint64(0x0001000100010001)) >> np.uint64(48))


@njit(cache=True, nogil=True, inline="always")
def _flush(lanes, acc, n_labels):  # pragma: no cover
    """Add the byte counts of ``lanes`` (3, words) into ``acc`` (3, L) and zero them.

    Word ``k`` holds labels ``8k .. 8k + 7``; the last word of a row whose width is
    not a multiple of 8 holds its last ``L % 8`` labels in its lowest bytes.
    """
    full = n_labels // 8
    rest = n_labels % 8
    for q in range(3):
        for k in range(lanes.shape[1]):
            w = lanes[q, k]
            first = 8 * k if k < full else n_labels - rest
            width = 8 if k < full else rest
            for b in range(width):
                acc[q, first + b] += np.int64((w >> np.uint64(8 * b)) & np.uint64(0xFF))
            lanes[q, k] = 0


@njit(cache=True, nogil=True, inline="always")
def _row_done(st, sp, sb, i, hist, base, most_t, most_p,
              row_true, row_pred, row_both):  # pragma: no cover
    """Row ``i``'s sizes from its byte sums (each row under 256 labels): counted in
    ``hist``, or written to ``row_*`` when ``hist`` is empty; the largest sizes so far."""
    ones = np.uint64(0x0101010101010101)
    nt = np.int64((st * ones) >> np.uint64(56))
    npr = np.int64((sp * ones) >> np.uint64(56))
    nb = np.int64((sb * ones) >> np.uint64(56))
    if hist.shape[0] > 0:
        hist[(nt * base + npr) * base + nb] += 1
        return max(most_t, nt), max(most_p, npr)
    row_true[i] = nt
    row_pred[i] = npr
    row_both[i] = nb
    return most_t, most_p


@njit(cache=True, nogil=True)
def dense_counts(t, p, n_labels, lo, hi, acc, hist, base, top,
                 row_true, row_pred, row_both):  # pragma: no cover
    """Add the unweighted counts of rows ``lo:hi`` of two (n, L) 0/1 matrices.

    The arguments are those of :func:`_counts_by_row`, which this does four rows at
    a time: one addition to a byte counter then counts four rows, and the four
    rows' sums are independent chains of additions. Rows narrower than a word, rows
    of more than 255 labels and the last ``(hi - lo) % 4`` rows go one at a time.
    """
    L = n_labels
    full = L // 8
    rest = L % 8
    if L < 8 or L > 255:
        _counts_by_row(t, p, L, lo, hi, acc, hist, base, top, row_true, row_pred, row_both)
        return
    lanes = np.zeros((3, full + 1), dtype=np.uint64)
    tail = np.uint64(8 * (8 - rest))
    z = np.uint64(0)
    since = 0
    most_t = 0
    most_p = 0
    i = lo
    last = t.shape[0] - 1
    while i + 4 <= hi:
        o0 = i * L
        o1 = o0 + L
        o2 = o1 + L
        o3 = o2 + L
        for c in range(0, 4 * L, 64):  # the lines of the rows _AHEAD bytes on
            prefetch_at(t, min(o0 + _AHEAD + c, last))
            prefetch_at(p, min(o0 + _AHEAD + c, last))
        t0, t1, t2, t3 = z, z, z, z
        p0, p1, p2, p3 = z, z, z, z
        b0, b1, b2, b3 = z, z, z, z
        for k in range(full):
            d = 8 * k
            a0 = _word(t, o0 + d)
            a1 = _word(t, o1 + d)
            a2 = _word(t, o2 + d)
            a3 = _word(t, o3 + d)
            c0 = _word(p, o0 + d)
            c1 = _word(p, o1 + d)
            c2 = _word(p, o2 + d)
            c3 = _word(p, o3 + d)
            x0 = a0 & c0
            x1 = a1 & c1
            x2 = a2 & c2
            x3 = a3 & c3
            lanes[0, k] += (x0 + x1) + (x2 + x3)
            lanes[1, k] += (a0 + a1) + (a2 + a3)
            lanes[2, k] += (c0 + c1) + (c2 + c3)
            t0 += a0
            t1 += a1
            t2 += a2
            t3 += a3
            p0 += c0
            p1 += c1
            p2 += c2
            p3 += c3
            b0 += x0
            b1 += x1
            b2 += x2
            b3 += x3
        if rest:  # the last L % 8 labels, in the low bytes
            d = L - 8
            a0 = _word(t, o0 + d) >> tail
            a1 = _word(t, o1 + d) >> tail
            a2 = _word(t, o2 + d) >> tail
            a3 = _word(t, o3 + d) >> tail
            c0 = _word(p, o0 + d) >> tail
            c1 = _word(p, o1 + d) >> tail
            c2 = _word(p, o2 + d) >> tail
            c3 = _word(p, o3 + d) >> tail
            x0 = a0 & c0
            x1 = a1 & c1
            x2 = a2 & c2
            x3 = a3 & c3
            lanes[0, full] += (x0 + x1) + (x2 + x3)
            lanes[1, full] += (a0 + a1) + (a2 + a3)
            lanes[2, full] += (c0 + c1) + (c2 + c3)
            t0 += a0
            t1 += a1
            t2 += a2
            t3 += a3
            p0 += c0
            p1 += c1
            p2 += c2
            p3 += c3
            b0 += x0
            b1 += x1
            b2 += x2
            b3 += x3
        most_t, most_p = _row_done(t0, p0, b0, i, hist, base, most_t, most_p,
                                   row_true, row_pred, row_both)
        most_t, most_p = _row_done(t1, p1, b1, i + 1, hist, base, most_t, most_p,
                                   row_true, row_pred, row_both)
        most_t, most_p = _row_done(t2, p2, b2, i + 2, hist, base, most_t, most_p,
                                   row_true, row_pred, row_both)
        most_t, most_p = _row_done(t3, p3, b3, i + 3, hist, base, most_t, most_p,
                                   row_true, row_pred, row_both)
        i += 4
        since += 4
        if since > 251:  # before a byte of a counter could overflow
            _flush(lanes, acc, L)
            since = 0
    _flush(lanes, acc, L)
    top[0] = max(top[0], most_t)
    top[1] = max(top[1], most_p)
    if i < hi:
        _counts_by_row(t, p, L, i, hi, acc, hist, base, top, row_true, row_pred, row_both)


@njit(cache=True, nogil=True)
def _counts_by_row(t, p, n_labels, lo, hi, acc, hist, base, top,
                   row_true, row_pred, row_both):  # pragma: no cover
    """Add the unweighted counts of rows ``lo:hi`` of two (n, L) 0/1 matrices, one row
    at a time.

    ``t`` and ``p`` are the matrices' :func:`flat_bytes`. ``acc`` (3, L) int64
    receives the per-label tp, true and predicted sums. With a non-empty ``hist``
    (``base**3`` int64, ``base`` > L), each row adds 1 at
    ``(n_true * base + n_pred) * base + n_both`` and ``top`` (2,) keeps the largest
    ``n_true`` and ``n_pred`` seen; with an empty one, the sizes go to
    ``row_*[lo:hi]`` instead. :func:`dense_counts_narrow` does the same for rows of
    at most 16 labels.
    """
    L = n_labels
    size = t.shape[0]
    full = L // 8
    rest = L % 8
    lanes = np.zeros((3, full + 1), dtype=np.uint64)
    tail = np.uint64(8 * (8 - rest))  # L >= 8: the last word ends at the row's end
    narrow = np.uint64((1 << (8 * L)) - 1) if L < 8 else np.uint64(0)
    ones = np.uint64(0x0101010101010101)
    to_top = np.uint64(56)
    counting = hist.shape[0] > 0
    since = 0
    most_t = 0
    most_p = 0
    wide = L > 255  # a row's sizes can pass a byte: sum the bytes in 16-bit pairs
    for i in range(lo, hi):
        off = i * L
        st = np.uint64(0)
        sp = np.uint64(0)
        sb = np.uint64(0)
        nt = 0
        npr = 0
        nb = 0
        k = 0
        while k + 2 <= full:  # two words a step: two chains of additions
            a = _word(t, off + 8 * k)
            c = _word(p, off + 8 * k)
            a2 = _word(t, off + 8 * k + 8)
            c2 = _word(p, off + 8 * k + 8)
            x = a & c
            x2 = a2 & c2
            lanes[0, k] += x
            lanes[1, k] += a
            lanes[2, k] += c
            lanes[0, k + 1] += x2
            lanes[1, k + 1] += a2
            lanes[2, k + 1] += c2
            st += a + a2
            sp += c + c2
            sb += x + x2
            k += 2
            if wide and k % 254 == 0:  # before a byte of the row sums could overflow
                nt += _byte_sum(st)
                npr += _byte_sum(sp)
                nb += _byte_sum(sb)
                st = np.uint64(0)
                sp = np.uint64(0)
                sb = np.uint64(0)
        if k < full:
            a = _word(t, off + 8 * k)
            c = _word(p, off + 8 * k)
            x = a & c
            lanes[0, k] += x
            lanes[1, k] += a
            lanes[2, k] += c
            st += a
            sp += c
            sb += x
        if rest:
            if full:
                a = _word(t, off + L - 8) >> tail
                c = _word(p, off + L - 8) >> tail
            else:  # a row narrower than a word: read the word that holds it
                at = min(off, size - 8)
                by = np.uint64(8 * (off - at))
                a = (_word(t, at) >> by) & narrow
                c = (_word(p, at) >> by) & narrow
            x = a & c
            lanes[0, full] += x
            lanes[1, full] += a
            lanes[2, full] += c
            st += a
            sp += c
            sb += x
        if wide:
            nt += _byte_sum(st)
            npr += _byte_sum(sp)
            nb += _byte_sum(sb)
        else:
            nt = np.int64((st * ones) >> to_top)
            npr = np.int64((sp * ones) >> to_top)
            nb = np.int64((sb * ones) >> to_top)
        if counting:
            hist[(nt * base + npr) * base + nb] += 1
            most_t = max(most_t, nt)
            most_p = max(most_p, npr)
        else:
            row_true[i] = nt
            row_pred[i] = npr
            row_both[i] = nb
        since += 1
        if since == 255:  # before a byte of a lane could overflow
            _flush(lanes, acc, L)
            since = 0
    _flush(lanes, acc, L)
    top[0] = max(top[0], most_t)
    top[1] = max(top[1], most_p)


@njit(cache=True, nogil=True)
def dense_counts_narrow(t, p, n_labels, lo, hi, acc, hist, base, top,
                        row_true, row_pred, row_both):  # pragma: no cover
    """:func:`dense_counts` for rows of at most 16 labels (two words), with the byte
    counts in registers: a row costs a few instructions more than its loads."""
    L = n_labels
    size = t.shape[0]
    full = L // 8
    rest = L % 8
    lanes = np.zeros((3, full + 1), dtype=np.uint64)
    tail = np.uint64(8 * (8 - rest))
    narrow = np.uint64((1 << (8 * L)) - 1) if L < 8 else np.uint64(0)
    ones = np.uint64(0x0101010101010101)
    to_top = np.uint64(56)
    zero = np.uint64(0)
    counting = hist.shape[0] > 0
    x0 = zero
    a0 = zero
    c0 = zero
    x1 = zero
    a1 = zero
    c1 = zero
    since = 0
    most_t = 0
    most_p = 0
    last = size - 1
    for i in range(lo, hi):
        off = i * L
        if (off & 63) < L:  # a row that starts a cache line: ask for the one _AHEAD on
            prefetch_at(t, min(off + _AHEAD, last))
            prefetch_at(p, min(off + _AHEAD, last))
        if L >= 8:  # word 0: labels 0-7; word 1: labels 8-15, or the last L % 8
            a = _word(t, off)
            c = _word(p, off)
            if L == 16:
                e = _word(t, off + 8)
                f = _word(p, off + 8)
            elif rest:
                e = _word(t, off + L - 8) >> tail
                f = _word(p, off + L - 8) >> tail
            else:
                e = zero
                f = zero
        else:  # the word that holds the row
            at = min(off, size - 8)
            by = np.uint64(8 * (off - at))
            a = (_word(t, at) >> by) & narrow
            c = (_word(p, at) >> by) & narrow
            e = zero
            f = zero
        x = a & c
        g = e & f
        x0 += x
        a0 += a
        c0 += c
        x1 += g
        a1 += e
        c1 += f
        nt = np.int64(((a + e) * ones) >> to_top)
        npr = np.int64(((c + f) * ones) >> to_top)
        nb = np.int64(((x + g) * ones) >> to_top)
        if counting:
            hist[(nt * base + npr) * base + nb] += 1
            most_t = max(most_t, nt)
            most_p = max(most_p, npr)
        else:
            row_true[i] = nt
            row_pred[i] = npr
            row_both[i] = nb
        since += 1
        if since == 255 or i == hi - 1:  # before a byte could overflow, and at the end
            lanes[0, 0] = x0
            lanes[1, 0] = a0
            lanes[2, 0] = c0
            if full:
                lanes[0, 1] = x1
                lanes[1, 1] = a1
                lanes[2, 1] = c1
            _flush(lanes, acc, L)
            x0 = zero
            a0 = zero
            c0 = zero
            x1 = zero
            a1 = zero
            c1 = zero
            since = 0
    top[0] = max(top[0], most_t)
    top[1] = max(top[1], most_p)


@njit(cache=True, nogil=True)
def dense_counts_weighted(t, p, n_labels, w, lo, hi, acc, hist, hist_w, base, top,
                          row_true, row_pred, row_both):  # pragma: no cover
    """Add the counts of rows ``lo:hi``, each row weighted by ``w[i]``; ``t`` and ``p``
    are the (n, L) C-contiguous ``uint8`` views of the matrices here.

    ``acc`` (4, L) float64 receives tp, fp, fn and tn, added row by row. With a
    non-empty ``hist``, each row adds 1 to ``hist`` and ``w[i]`` to ``hist_w`` at
    its key, as in :func:`dense_counts`; else its sizes go to ``row_*``.
    """
    L = n_labels
    counting = hist.shape[0] > 0
    for i in range(lo, hi):
        wi = w[i]
        nt = 0
        npr = 0
        nb = 0
        for j in range(L):
            a = t[i, j]
            c = p[i, j]
            x = a & c
            acc[0, j] += wi * x
            acc[1, j] += wi * (c - x)
            acc[2, j] += wi * (a - x)
            acc[3, j] += wi * (1 - a - c + x)
            nt += a
            npr += c
            nb += x
        if counting:
            key = (nt * base + npr) * base + nb
            hist[key] += 1
            hist_w[key] += wi
            top[0] = max(top[0], nt)
            top[1] = max(top[1], npr)
        else:
            row_true[i] = nt
            row_pred[i] = npr
            row_both[i] = nb


# ------------------------------------------------------------------------------------
# Helpers of the kernels generated for rows of 1-16 labels (labelwise._narrow_kernels)
# ------------------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def unpack_lanes(lanes, acc, n_labels):  # pragma: no cover
    """Add the byte counters ``lanes`` (3, W) of a narrow kernel, for truth,
    predictions and both, into ``acc`` (3, L: both, truth, predictions) and zero
    them: byte ``b`` of word ``k`` counts label ``(8k + b) % L``."""
    for k in range(lanes.shape[1]):
        for b in range(8):
            j = (8 * k + b) % n_labels
            by = np.uint64(8 * b)
            acc[0, j] += np.int64((lanes[2, k] >> by) & np.uint64(0xFF))
            acc[1, j] += np.int64((lanes[0, k] >> by) & np.uint64(0xFF))
            acc[2, j] += np.int64((lanes[1, k] >> by) & np.uint64(0xFF))
        lanes[0, k] = 0
        lanes[1, k] = 0
        lanes[2, k] = 0


@njit(cache=True, nogil=True)
def histograms_into(local, nibble, hist, base, top):  # pragma: no cover
    """Add a narrow kernel's row histograms ``local`` (H, K) into ``hist`` and zero
    them; ``top`` keeps the largest row sizes seen.

    With ``nibble`` 4, key ``k`` holds ``n_both`` in its low 4 bits and ``n_true +
    16 n_pred`` above them; with 0, keys are ``hist``'s own,
    ``(n_true * base + n_pred) * base + n_both``.
    """
    most_t = top[0]
    most_p = top[1]
    for k in range(local.shape[1]):
        m = np.int64(0)
        for h in range(local.shape[0]):
            m += local[h, k]
            local[h, k] = 0
        if m:
            if nibble:
                nt = (k >> 4) & 15
                npr = k >> 8
                at = (nt * base + npr) * base + (k & 15)
            else:
                nt = k // (base * base)
                npr = (k // base) % base
                at = k
            hist[at] += m
            most_t = max(most_t, nt)
            most_p = max(most_p, npr)
    top[0] = most_t
    top[1] = most_p


@njit(cache=True, nogil=True)
def _row_bytes(a, b, c, sa, ma, sb, mb, sc, mc):  # pragma: no cover
    """The bytes of one row in up to three words, moved down to byte 0 and added:
    ``((a >> sa) & ma) + ((b >> sb) & mb) + ((c >> sc) & mc)``."""
    return ((a >> sa) & ma) + ((b >> sb) & mb) + ((c >> sc) & mc)


@njit(cache=True, nogil=True)
def row_key(ua, ub, uc, xa, xb, xc, sa, ma, sb, mb, sc, mc):  # pragma: no cover
    """The key ``(n_true + 16 n_pred) * 16 + n_both`` of a row of at most 15 labels,
    from the ``u`` and ``x`` words it spans (see :mod:`labelwise._narrow_kernels`)."""
    ones = np.uint64(0x0101010101010101)
    top = np.uint64(56)
    su = (_row_bytes(ua, ub, uc, sa, ma, sb, mb, sc, mc) * ones) >> top
    sx = (_row_bytes(xa, xb, xc, sa, ma, sb, mb, sc, mc) * ones) >> top
    return np.int64((su << np.uint64(4)) | sx)


@njit(cache=True, nogil=True)
def row_key_16(ua, ub, uc, xa, xb, xc, sa, ma, sb, mb, sc, mc):  # pragma: no cover
    """The key ``(n_true * 17 + n_pred) * 17 + n_both`` of a row of 16 labels, whose
    ``u`` words hold the truth in the low 5 bits of each byte."""
    su = _byte_sum(_row_bytes(ua, ub, uc, sa, ma, sb, mb, sc, mc))
    sx = np.int64((_row_bytes(xa, xb, xc, sa, ma, sb, mb, sc, mc)
                   * np.uint64(0x0101010101010101)) >> np.uint64(56))
    return ((su & 31) * 17 + (su >> 5)) * 17 + sx
