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

Everything is vectorised over integer keys ``mask << k | bits``: numpy ``int64`` up to
31 conditions, exact Python integers (object arrays) beyond.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np

from analysis.qca.errors import QCAError
from analysis.qca.implicants import INT64_BITS, Implicant, int_array, sorted_unique

# Work on at most this many (configuration, mask) pairs at a time.
_CHUNK_CELLS = 2_000_000

#: Default memory allowed to one level of the prime implicant search: 2 GiB, or half
#: of the memory available if that is less.
DEFAULT_MAX_MEMORY = 2 * 1024**3


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux ``MemAvailable``), if known.

    Examples
    --------
    >>> available_memory() is None or available_memory() > 0
    True
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def default_max_memory() -> int:
    """The memory the prime implicant search may use by default, in bytes.

    Examples
    --------
    >>> 0 < default_max_memory() <= DEFAULT_MAX_MEMORY
    True
    """
    free = available_memory()
    return DEFAULT_MAX_MEMORY if free is None else max(1, min(DEFAULT_MAX_MEMORY, free // 2))


def search_level_bytes(k: int, level: int, n_pos: int, n_neg: int) -> int:
    """Upper estimate of the memory one level of :func:`ccubes_primes` needs, in bytes.

    Every combination of ``level`` of the ``k`` conditions is stored (a Python
    integer and its array cell), and each is projected on every positive and
    negative configuration; a key is copied about four times while it is made
    unique and sorted, and a Python integer key (beyond 31 conditions) adds its
    object.

    Examples
    --------
    >>> search_level_bytes(5, 2, 3, 2)
    2160
    >>> f"{search_level_bytes(40, 6, 25, 25) / 1e9:.1f} GB"
    '6.4 GB'
    """
    per_key = 32 if _key_width(k, level) <= INT64_BITS else 32 + 40
    return math.comb(k, level) * (56 + per_key * (n_pos + n_neg))


def _gigabytes(n: float) -> str:
    return f"{n / 1024**3:.1f} GB" if n >= 0.1 * 1024**3 else f"{n / 1024**2:.0f} MB"


def _masks_of_size(k: int, size: int) -> np.ndarray:
    """Every set of ``size`` of the ``k`` conditions as a bit mask, ascending."""
    masks = [sum(1 << (k - 1 - i) for i in combo) for combo in combinations(range(k), size)]
    return np.sort(int_array(masks, k))


def _key_width(k: int, level: int) -> int:
    """Bits of a key ``rank << k | bits`` at one level (``rank`` numbers the masks)."""
    return k + (math.comb(k, level) - 1).bit_length()


def _projected_keys(configs: np.ndarray, masks: np.ndarray, k: int, width: int) -> np.ndarray:
    """Unique keys ``rank << k | (config & mask)`` over all pairs (``masks[rank] == mask``).

    Numbering the masks instead of storing them keeps the keys in ``int64`` for
    up to 62 bits; beyond, they are exact Python integers.
    """
    ranks = int_array(np.arange(len(masks)), width)
    configs = int_array(configs, width)
    masks = int_array(masks, width)
    if len(configs) == 0:
        return ranks[:0]
    step = max(1, _CHUNK_CELLS // len(configs))
    parts = []
    for start in range(0, len(masks), step):
        m = masks[start : start + step]
        r = ranks[start : start + step]
        keys = (r[None, :] << k) | (configs[:, None] & m[None, :])
        parts.append(sorted_unique(keys))
    return sorted_unique(np.concatenate(parts))


def _in_sorted(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    if len(sorted_keys) == 0 or len(values) == 0:
        return np.zeros(len(values), dtype=bool)
    if values.dtype != sorted_keys.dtype:
        values, sorted_keys = values.astype(object), sorted_keys.astype(object)
    pos = np.searchsorted(sorted_keys, values)
    pos[pos == len(sorted_keys)] = 0
    return sorted_keys[pos] == values


def _has_sub_implicant(
    keys: np.ndarray, masks: np.ndarray, lower: np.ndarray, lower_masks: np.ndarray, k: int
) -> np.ndarray:
    """For each key, whether dropping one of its literals gives a key in ``lower``.

    ``masks`` and ``lower_masks`` number the masks of the keys' level and of the
    level below (see :func:`_projected_keys`).
    """
    full = (1 << k) - 1
    key_masks = masks[(keys >> k).astype(np.int64)]
    bits = keys & full
    hit = np.zeros(len(keys), dtype=bool)
    for b in range(k):
        bit = 1 << b
        has = (key_masks & bit) != 0
        if not has.any():
            continue
        ranks = np.searchsorted(lower_masks, key_masks[has] ^ bit)
        sub = (ranks.astype(lower.dtype) << k) | (bits[has] & ~bit)
        hit[has] |= _in_sorted(sub, lower)
    return hit


def cover_matrix(configs: np.ndarray, implicants: list[Implicant]) -> np.ndarray:
    """Implicants-by-configurations boolean matrix: which implicant covers which.

    Examples
    --------
    >>> cover_matrix(np.array([1, 3]), [(1, 1), (3, 3)]).tolist()
    [[True, True], [False, True]]
    """
    configs = int_array(configs)
    if not implicants:
        return np.zeros((0, len(configs)), dtype=bool)
    size = max(m.bit_length() for m, _ in implicants)
    masks = int_array([m for m, _ in implicants], size)
    bits = int_array([b for _, b in implicants], size)
    return (configs[None, :] & masks[:, None]) == bits[:, None]


def ccubes_primes(
    positive: np.ndarray, negative: np.ndarray, k: int, max_memory: int | None = None
) -> list[Implicant]:
    """Prime implicants of the positive configurations, remainders as don't cares.

    Parameters
    ----------
    positive, negative : ndarray of int
        Configuration integers that must be covered / must not be covered.
    k : int
        Number of conditions.
    max_memory : int, optional
        Bytes one level of the search may use (default :func:`default_max_memory`).
        Before each level its need is estimated (:func:`search_level_bytes`);
        beyond the limit :class:`QCAError` is raised instead of running out of memory.

    Returns
    -------
    list of (mask, bits)
        In order of discovery (by increasing complexity).

    Examples
    --------
    >>> sorted(ccubes_primes(np.array([0b11]), np.array([0b00]), 2))
    [(1, 1), (2, 2)]
    """
    pos = int_array(sorted_unique(positive), k)
    neg = int_array(sorted_unique(negative), k)
    found: list[Implicant] = []
    covered = np.zeros(len(pos), dtype=bool)
    lower = lower_masks = pos[:0]
    idle_levels = 0
    full = (1 << k) - 1
    limit = default_max_memory() if max_memory is None else max_memory
    for level in range(1, k + 1):
        need = search_level_bytes(k, level, len(pos), len(neg))
        if need > limit:
            raise QCAError(
                f"the parsimonious search would need about {_gigabytes(need)} of memory to "
                f"try the terms of {level} conditions ({k} conditions, {len(pos)} positive "
                f"and {len(neg)} negative rows; the limit is {_gigabytes(limit)}): use fewer "
                "conditions, or allow more memory (--max-memory GB) if the machine has it"
            )
        masks = _masks_of_size(k, level)
        width = _key_width(k, level)
        keys = _projected_keys(pos, masks, k, width)
        keys = keys[~_in_sorted(keys, _projected_keys(neg, masks, k, width))]
        new = keys[~_has_sub_implicant(keys, masks, lower, lower_masks, k)] if level > 1 else keys
        lower, lower_masks = keys, masks
        for key in new.tolist():
            mask, bits = int(masks[key >> k]), key & full
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
    current = int_array(sorted_unique(on), 2 * k)
    primes: list[np.ndarray] = []
    while len(current):
        free = current >> k
        vals = current & full
        merged = np.zeros(len(current), dtype=bool)
        nxt = []
        for b in range(k):
            bit = 1 << b
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
        current = sorted_unique(np.concatenate(nxt)) if nxt else current[:0]
    out = []
    for arr in primes:
        for key in arr.tolist():
            free = key >> k
            out.append((full & ~free, key & full))
    return out
