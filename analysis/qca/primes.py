"""Prime implicants: QCA's CCubes search and a Quine-McCluskey merge.

Two generators are needed because R uses two:

- :func:`ccubes_primes` for solutions that include remainders.  Positive and
  negative configurations are given; everything else is a "don't care".  The
  search goes by increasing complexity: at level ``c`` every combination of ``c``
  conditions is tried, the positive configurations are projected on it, and a
  projection that matches no negative configuration is an implicant.  It is
  prime when none of its one-literal-shorter sub-terms is an implicant.  Like
  CCubes, the search stops once the positives are covered and two consecutive
  levels added no new prime implicant (QCA's PI "inactivity" rule), so very
  complex primes beyond that point are not part of R's PI chart either.
- :func:`qmc_primes` for solutions without remainders (conservative) and for the
  intermediate solution: all prime implicants of a set of configurations, every
  other configuration being false.  Implicants are merged level by level, as in
  ``C_QMC``.

Everything is vectorised over numpy ``int64`` keys ``mask << k | bits``.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from analysis.qca.implicants import Implicant, sorted_unique

# Work on at most this many (configuration, mask) pairs at a time.
_CHUNK_CELLS = 2_000_000


def _masks_of_size(k: int, size: int) -> np.ndarray:
    masks = [sum(1 << (k - 1 - i) for i in combo) for combo in combinations(range(k), size)]
    return np.array(masks, dtype=np.int64)


def _projected_keys(configs: np.ndarray, masks: np.ndarray, k: int) -> np.ndarray:
    """Unique keys ``mask << k | (config & mask)`` over all pairs."""
    if len(configs) == 0:
        return np.empty(0, dtype=np.int64)
    step = max(1, _CHUNK_CELLS // len(configs))
    parts = []
    for start in range(0, len(masks), step):
        m = masks[start : start + step]
        keys = (m[None, :] << k) | (configs[:, None] & m[None, :])
        parts.append(sorted_unique(keys))
    return sorted_unique(np.concatenate(parts))


def _in_sorted(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    if len(sorted_keys) == 0 or len(values) == 0:
        return np.zeros(len(values), dtype=bool)
    pos = np.searchsorted(sorted_keys, values)
    pos[pos == len(sorted_keys)] = 0
    return sorted_keys[pos] == values


def _has_sub_implicant(keys: np.ndarray, lower: np.ndarray, k: int) -> np.ndarray:
    """For each key, whether dropping one of its literals gives a key in ``lower``."""
    full = (1 << k) - 1
    masks = keys >> k
    bits = keys & full
    hit = np.zeros(len(keys), dtype=bool)
    for b in range(k):
        bit = np.int64(1 << b)
        has = (masks & bit) != 0
        if not has.any():
            continue
        sub = ((masks[has] ^ bit) << k) | (bits[has] & ~bit)
        hit[has] |= _in_sorted(sub, lower)
    return hit


def cover_matrix(configs: np.ndarray, implicants: list[Implicant]) -> np.ndarray:
    """Implicants-by-configurations boolean matrix: which implicant covers which.

    Examples
    --------
    >>> cover_matrix(np.array([1, 3]), [(1, 1), (3, 3)]).tolist()
    [[True, True], [False, True]]
    """
    configs = np.asarray(configs, dtype=np.int64)
    if not implicants:
        return np.zeros((0, len(configs)), dtype=bool)
    masks = np.array([m for m, _ in implicants], dtype=np.int64)
    bits = np.array([b for _, b in implicants], dtype=np.int64)
    return (configs[None, :] & masks[:, None]) == bits[:, None]


def ccubes_primes(positive: np.ndarray, negative: np.ndarray, k: int) -> list[Implicant]:
    """Prime implicants of the positive configurations, remainders as don't cares.

    Parameters
    ----------
    positive, negative : ndarray of int
        Configuration integers that must be covered / must not be covered.
    k : int
        Number of conditions.

    Returns
    -------
    list of (mask, bits)
        In order of discovery (by increasing complexity).

    Examples
    --------
    >>> sorted(ccubes_primes(np.array([0b11]), np.array([0b00]), 2))
    [(1, 1), (2, 2)]
    """
    pos = sorted_unique(positive)
    neg = sorted_unique(negative)
    found: list[Implicant] = []
    covered = np.zeros(len(pos), dtype=bool)
    lower = np.empty(0, dtype=np.int64)
    idle_levels = 0
    full = (1 << k) - 1
    for level in range(1, k + 1):
        masks = _masks_of_size(k, level)
        keys = _projected_keys(pos, masks, k)
        keys = keys[~_in_sorted(keys, _projected_keys(neg, masks, k))]
        new = keys[~_has_sub_implicant(keys, lower, k)] if level > 1 else keys
        lower = keys
        for key in new.tolist():
            mask, bits = key >> k, key & full
            found.append((mask, bits))
            covered |= (pos & mask) == bits
        if found and covered.all():
            # QCA stops after two consecutive levels that add no prime implicant.
            idle_levels = 0 if len(new) else idle_levels + 1
            if idle_levels > 1:
                break
    return found


def qmc_primes(on: np.ndarray, k: int) -> list[Implicant]:
    """All prime implicants of a set of configurations (everything else is false).

    Parameters
    ----------
    on : ndarray of int
        The configurations that are true.
    k : int
        Number of conditions.

    Returns
    -------
    list of (mask, bits)

    Examples
    --------
    >>> sorted(qmc_primes(np.array([0b00, 0b01, 0b11]), 2))
    [(1, 1), (2, 0)]
    """
    full = (1 << k) - 1
    # Key: free (minimised) bits above, fixed values below; free value bits are 0.
    current = sorted_unique(on)
    primes: list[np.ndarray] = []
    while len(current):
        free = current >> k
        vals = current & full
        merged = np.zeros(len(current), dtype=bool)
        nxt = []
        for b in range(k):
            bit = np.int64(1 << b)
            cand = ((free & bit) == 0) & ((vals & bit) == 0)
            if not cand.any():
                continue
            partner = current[cand] | bit
            ok = _in_sorted(partner, current)
            if not ok.any():
                continue
            idx = np.flatnonzero(cand)[ok]
            merged[idx] = True
            merged[np.searchsorted(current, partner[ok])] = True
            nxt.append(((free[idx] | bit) << k) | vals[idx])
        primes.append(current[~merged])
        current = sorted_unique(np.concatenate(nxt)) if nxt else np.empty(0, dtype=np.int64)
    out = []
    for arr in primes:
        for key in arr.tolist():
            free = key >> k
            out.append((full & ~free, key & full))
    return out
