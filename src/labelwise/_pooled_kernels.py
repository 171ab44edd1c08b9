"""Hot loops of the pooled exact ROC-AUC and AP: every label, and the micro average,
from one sort of packed keys, bucket by bucket.

A score's *order key* is its IEEE bits turned so that unsigned order is numeric
order (``-0.0`` read as ``0.0``): 32 bits for float32, 64 for float64. Buckets are
ranges of the keys' top 16 bits (``table`` maps those bits to a bucket, in order).
Within bucket ``b`` an entry of label ``j`` with truth ``y`` is packed as

    ((order - base[b]) << lb) | (j << 1) | y

in an unsigned integer of 32 or 64 bits; the bucket's range is narrow enough for
this to fit. Sorting a bucket's packed keys orders its entries by score, then
label, then truth, so that each (score, label) pair and each score is one run.

The buckets are counted, written and sorted apart, and each is read with the
counts of the buckets below it, so that they can be read side by side. No
validation here; inputs are canonical (see ``_validate``).
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic


@intrinsic
def _float32_of(typingctx, bits):  # pragma: no cover
    """The float32 whose bits are the uint32 ``bits``."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.FloatType())
    return types.float32(types.uint32), codegen


@intrinsic
def _float64_of(typingctx, bits):  # pragma: no cover
    """The float64 whose bits are the uint64 ``bits``."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return types.float64(types.uint64), codegen


@njit(cache=True, nogil=True, inline="always")
def _order(b, sign):  # pragma: no cover
    """The order key (uint64) of a score's bits ``b``; ``sign`` is the sign bit of
    its width."""
    x = np.uint64(b)
    if x == sign:  # -0.0 ties with 0.0
        x = np.uint64(0)
    return (~x & (sign | (sign - np.uint64(1)))) if x & sign else (x | sign)


@njit(cache=True, nogil=True, inline="always")
def _sign(bits):  # pragma: no cover
    return np.uint64(1) << np.uint64(8 * bits.itemsize - 1)


@njit(cache=True, nogil=True)
def sample_orders(bits, rows):  # pragma: no cover
    """The order keys of every score of the rows ``rows`` of ``bits`` (n, L)."""
    sign = _sign(bits)
    L = bits.shape[1]
    out = np.empty(rows.shape[0] * L, dtype=np.uint64)
    for a in range(rows.shape[0]):
        i = rows[a]
        for j in range(L):
            out[a * L + j] = _order(bits[i, j], sign)
    return out


@njit(cache=True, nogil=True)
def order_range(bits, lo, hi):  # pragma: no cover
    """The smallest and largest order key of rows ``lo:hi``."""
    sign = _sign(bits)
    L = bits.shape[1]
    small = np.uint64(0xFFFFFFFFFFFFFFFF)
    large = np.uint64(0)
    for i in range(lo, hi):
        for j in range(L):
            x = _order(bits[i, j], sign)
            if x < small:
                small = x
            if x > large:
                large = x
    return small, large


@njit(cache=True, nogil=True)
def bucket_counts(bits, t_indptr, t_indices, table, shift, lo, hi, labels,
                  top):  # pragma: no cover
    """Count the entries of rows ``lo:hi`` per bucket, label and truth (``labels[b, 2 *
    j + y]``; a bucket's entries are its row's sum). ``top`` (buckets, L), unless
    empty, receives one more than the largest order key of each label in each bucket
    (0: none)."""
    L = bits.shape[1]
    sign = _sign(bits)
    has_top = top.shape[0] > 0
    flat = labels.reshape(-1)
    pay = np.empty(L, dtype=np.int64)  # 2 * j + y of the current row
    for j in range(L):
        pay[j] = 2 * j
    for i in range(lo, hi):
        for a in range(t_indptr[i], t_indptr[i + 1]):
            pay[t_indices[a]] += 1
        row = bits[i]
        for j in range(L):
            x = _order(row[j], sign)
            b = table[x >> shift]
            flat[b * 2 * L + pay[j]] += 1
            if has_top and x + np.uint64(1) > top[b, j]:
                top[b, j] = x + np.uint64(1)
        for a in range(t_indptr[i], t_indptr[i + 1]):
            pay[t_indices[a]] -= 1


@njit(cache=True, nogil=True)
def bucket_scatter(bits, t_indptr, t_indices, table, shift, base, lb, first, last, lo, hi,
                   cursor, keys):  # pragma: no cover
    """Write the packed keys of the entries of rows ``lo:hi`` that fall in buckets
    ``first:last``, each at ``keys[cursor[b]]``, advancing ``cursor[b]``."""
    L = bits.shape[1]
    sign = _sign(bits)
    width = np.uint64(lb)
    pay = np.empty(L, dtype=np.uint64)  # j << 1 | y of the current row
    for j in range(L):
        pay[j] = np.uint64(j) << np.uint64(1)
    for i in range(lo, hi):
        for a in range(t_indptr[i], t_indptr[i + 1]):
            pay[t_indices[a]] |= np.uint64(1)
        row = bits[i]
        for j in range(L):
            x = _order(row[j], sign)
            b = table[x >> shift]
            if b >= first and b < last:
                c = cursor[b]
                keys[c] = ((x - base[b]) << width) | pay[j]
                cursor[b] = c + 1
        for a in range(t_indptr[i], t_indptr[i + 1]):
            pay[t_indices[a]] &= ~np.uint64(1)


_DIGIT = 11  # bits of the radix sort's digit at most (a histogram of 2,048 counts)


@njit(cache=True, nogil=True)
def sort_bucket(keys, spare):  # pragma: no cover
    """Sort one bucket's packed keys (uint32 or uint64) in place, with ``spare`` (at
    least as long, same dtype) as scratch.

    A least-significant-digit radix sort over the bits in which some two keys differ
    only: each digit starts at such a bit and spans at most ``_DIGIT`` bits, up to
    the last such bit in its reach, and the digits' counts are all taken in one first
    pass. Bits that every key shares cost nothing (the low mantissa bits of float64
    scores that are float32 values, say). Its time per key depends on the keys' width,
    not on the machine's sorting instructions.
    """
    size = keys.shape[0]
    if size < 2:
        return
    one = keys.dtype.type(1)
    first = keys[0]
    differ = keys.dtype.type(0)
    for i in range(size):
        differ |= keys[i] ^ first
    width = 8 * keys.itemsize
    starts = np.empty(width, dtype=np.int64)
    spans = np.empty(width, dtype=np.int64)
    passes = 0
    b = 0
    while b < width:
        if not (differ >> keys.dtype.type(b)) & one:
            b += 1
            continue
        reach = min(b + _DIGIT, width)
        last = b
        for c in range(b, reach):
            if (differ >> keys.dtype.type(c)) & one:
                last = c
        starts[passes] = b
        spans[passes] = last - b + 1
        passes += 1
        b = reach
    counts = np.zeros((passes, 1 << _DIGIT), dtype=np.int64)
    masks = np.empty(passes, dtype=keys.dtype)
    for p in range(passes):
        masks[p] = (one << keys.dtype.type(spans[p])) - one
    for i in range(size):
        x = keys[i]
        for p in range(passes):
            counts[p, (x >> keys.dtype.type(starts[p])) & masks[p]] += 1
    src = keys
    dst = spare[:size]
    for p in range(passes):
        at = counts[p]
        total = 0
        for d in range((1 << spans[p])):
            c = at[d]
            at[d] = total
            total += c
        step = keys.dtype.type(starts[p])
        mask = masks[p]
        for i in range(size):
            x = src[i]
            d = (x >> step) & mask
            dst[at[d]] = x
            at[d] += 1
        src, dst = dst, src
    if passes % 2:
        keys[:] = src


@njit(cache=True, nogil=True, inline="always")
def _value(order, wide):  # pragma: no cover
    """The score (float64) of an order key."""
    if wide:
        sign = np.uint64(0x8000000000000000)
        return _float64_of(order ^ sign if order & sign else ~order)
    sign = np.uint64(0x80000000)
    return np.float64(_float32_of(np.uint32(order ^ sign if order & sign
                                            else ~order & np.uint64(0xFFFFFFFF))))


@njit(cache=True, nogil=True)
def _merged(a, b):  # pragma: no cover
    """The distinct values of two ascending arrays, ascending (``np.unique`` of both,
    as a plain loop that compiles fast)."""
    out = np.empty(a.shape[0] + b.shape[0], dtype=np.int64)
    i = 0
    j = 0
    m = 0
    while i < a.shape[0] or j < b.shape[0]:
        if j >= b.shape[0] or (i < a.shape[0] and a[i] <= b[j]):
            x = a[i]
            i += 1
        else:
            x = b[j]
            j += 1
        if m == 0 or out[m - 1] != x:
            out[m] = x
            m += 1
    return out[:m]


@njit(cache=True, nogil=True)
def read_bucket(keys, lb, base, wide, n, positives, seen0, pos0, all0, all_pos0, m, auc_num,
                ap, micro, q, scale, below, bins, unknown):  # pragma: no cover
    """Add one sorted bucket's share of the per-label and micro ROC-AUC and AP sums, and
    of each label's equal-mass bins (unless ``bins`` is empty), in one pass.

    ``seen0[j]`` and ``pos0[j]`` are label ``j``'s entries and true entries in the
    buckets below, ``all0`` and ``all_pos0`` those of every label; ``m`` is the number
    of entries in all, ``n`` per label. ``auc_num[j]`` receives, for every true entry,
    the false entries of its label scored lower plus half those scored the same;
    ``ap[j]`` the AP terms; ``micro`` the same two sums over the pooled entries. Tied
    scores form one threshold, as in scikit-learn.

    Equal-mass bins: each label's inner edges interpolate its order statistics as
    :func:`numpy.percentile` does at the fractions ``q`` (n_bins + 1,). ``below[j]``
    is one more than the order key of label ``j``'s largest score in the buckets below
    (0: none): the edges that need it are found here, the others lie wholly below or
    above the bucket. A score goes to the bin of the number of edges below it;
    ``scale`` > 0 decodes float32 codes of short decimals (``rint(code * scale) /
    scale``). ``bins`` (n_labels, n_bins, 3) receives count, sum of scores and sum of
    truths. ``base`` is the bucket's smallest order key, ``wide`` whether the scores
    are float64. ``unknown[j]`` (or an empty array: none) entries of label ``j`` are
    unknown, scored ``-inf``: the lowest of the label, they are left out of its bins,
    whose order statistics are those of its other ``n - unknown[j]`` entries.
    """
    size = keys.shape[0]
    if size == 0:
        return
    L = positives.shape[0]
    seen = seen0.copy()
    pos_seen = pos0.copy()
    P_all = 0
    for j in range(L):
        P_all += positives[j]
    all_seen = all0
    all_pos_seen = all_pos0
    micro_auc = 0.0
    micro_ap = 0.0
    width = np.uint64(lb)
    run_width = np.uint64(lb - 1)
    label_mask = (np.uint64(1) << run_width) - np.uint64(1)
    # equal-mass bins: the ranks of each label's order statistics among its known
    # entries, and what is known at the start (ranks below count known entries only)
    quantiles = bins.shape[0] > 0
    E = q.shape[0] - 2 if quantiles else 0
    n_q = L if quantiles else 0
    skip = np.zeros(n_q, dtype=np.int64)  # each label's unknown entries, ranked first
    if unknown.shape[0] > 0:
        skip[:] = unknown[:n_q]
    prev = np.empty((n_q, E), dtype=np.int64)
    nxt = np.empty((n_q, E), dtype=np.int64)
    gamma = np.empty((n_q, E))
    marks = np.empty((n_q, 2 * E), dtype=np.int64)  # the ranks to watch, in order
    n_marks = np.zeros(n_q, dtype=np.int64)
    for j in range(n_q):
        known = n - skip[j]
        for k in range(E):
            virtual = (known - 1) * q[k + 1]
            floor = np.floor(virtual)
            gamma[j, k] = virtual - floor
            p = min(max(int(floor), 0), max(known - 1, 0))
            x = min(p + 1, max(known - 1, 0))
            if virtual >= known - 1:
                p = max(known - 1, 0)
                x = p
            prev[j, k] = p
            nxt[j, k] = x
        merged = _merged(prev[j], nxt[j])
        n_marks[j] = merged.shape[0]
        marks[j, : merged.shape[0]] = merged
    low = np.zeros((n_q, E))
    edge = np.empty((n_q, E))
    rank = seen0.copy()
    watch = np.zeros(n_q, dtype=np.int64)  # the first mark at or above each label's rank
    first = np.empty(n_q, dtype=np.int64)  # the known rank of the label's first entry here
    for j in range(n_q):
        first[j] = max(seen0[j] - skip[j], 0)
        w = 0
        while w < n_marks[j] and marks[j, w] < first[j]:
            w += 1
        watch[j] = w
    for j in range(n_q):
        r = first[j]
        for k in range(E):
            if nxt[j, k] < r:  # both order statistics below: every score here is above it
                edge[j, k] = -np.inf
            else:
                edge[j, k] = np.inf  # not known yet: above every score
                if prev[j, k] < r:  # the lower one is the largest score below the bucket
                    low[j, k] = _value(below[j] - np.uint64(1), wide)
    # each label's open bin: its number, its upper edge, and where it began (known
    # rank, true entries); its scores are summed apart and added when it closes
    current = np.zeros(n_q, dtype=np.int64)
    upper = np.empty(n_q)
    began = first.copy()
    began_pos = pos0.copy()
    open_sum = np.zeros(n_q)
    next_mark = np.empty(n_q, dtype=np.int64)  # the rank of the next mark (n: none)
    for j in range(n_q):
        upper[j] = edge[j, 0] if E > 0 else np.inf
        next_mark[j] = marks[j, watch[j]] if watch[j] < n_marks[j] else n
    ub = np.uint64(base)
    block_pos = 0
    block_n = 0
    run_pos = 0
    run_n = 0
    prev_run = np.uint64(keys[0]) >> np.uint64(1)
    for c in range(size + 1):
        key = np.uint64(keys[c]) if c < size else np.uint64(0)
        here = key >> np.uint64(1)
        if c == size or here != prev_run:  # the (score, label) run ends: credit its label
            j = int(prev_run & label_mask)
            P = positives[j]
            if run_pos > 0:
                auc_num[j] += run_pos * ((seen[j] - pos_seen[j]) + 0.5 * (run_n - run_pos))
                ap[j] += run_pos / P * ((P - pos_seen[j]) / (n - seen[j]))
            seen[j] += run_n
            pos_seen[j] += run_pos
            block_pos += run_pos
            block_n += run_n
            run_pos = 0
            run_n = 0
            if c == size or (here >> run_width) != (prev_run >> run_width):  # the score ends
                if block_pos > 0:
                    micro_auc += block_pos * ((all_seen - all_pos_seen)
                                              + 0.5 * (block_n - block_pos))
                    micro_ap += block_pos / P_all * ((P_all - all_pos_seen) / (m - all_seen))
                all_seen += block_n
                all_pos_seen += block_pos
                block_pos = 0
                block_n = 0
            prev_run = here
        if c == size:
            break
        t = int(key & np.uint64(1))
        run_pos += t
        run_n += 1
        if quantiles:
            j = int(here & label_mask)
            r = rank[j] - skip[j]  # the entry's rank among its label's known entries
            rank[j] += 1
            if r < 0:  # an unknown entry (-inf): in no bin
                continue
            x = _value((key >> width) + ub, wide)
            if scale > 0.0:
                x = np.rint(x * scale) / scale
            if r == next_mark[j]:
                w = watch[j]
                watch[j] = w + 1
                next_mark[j] = marks[j, w + 1] if w + 1 < n_marks[j] else n
                for k in range(E):
                    if prev[j, k] == r:
                        low[j, k] = x
                    if nxt[j, k] == r:  # numpy's linear interpolation, as np.percentile
                        a = low[j, k]
                        diff = x - a
                        g = gamma[j, k]
                        edge[j, k] = x - diff * (1 - g) if g >= 0.5 else a + diff * g
                b = current[j]
                upper[j] = edge[j, b] if b < E else np.inf
            if x > upper[j]:  # the label's bin closes (only at a run's first entry)
                b = current[j]
                # the label's true entries before this one: its runs so far, this
                # run's earlier entries (none, as a bin closes on a run's first entry)
                before = pos_seen[j] + run_pos - t
                bins[j, b, 0] += r - began[j]
                bins[j, b, 1] += open_sum[j]
                bins[j, b, 2] += before - began_pos[j]
                b += 1
                while b < E and x > edge[j, b]:
                    b += 1
                current[j] = b
                upper[j] = edge[j, b] if b < E else np.inf
                began[j] = r
                began_pos[j] = before
                open_sum[j] = 0.0
            open_sum[j] += x
    for j in range(n_q):  # the open bins close with the bucket
        b = current[j]
        bins[j, b, 0] += max(rank[j] - skip[j], began[j]) - began[j]
        bins[j, b, 1] += open_sum[j]
        bins[j, b, 2] += pos_seen[j] - began_pos[j]
    micro[0] += micro_auc
    micro[1] += micro_ap
