"""Bin-centric greedy starts for vector packing (Panigrahy et al. 2011): servers filled one at a time.

Item-centric first fit places each item in turn and scatters small items; filling one server at a
time, each taking the item that best matches the room it has left, packs them tight (on estates with
many small replicas of uneven memory per core, 731 servers where first fit needs 779). Each choice
looks at every item left, so a large estate is dealt into groups of GROUP items (stratified by
size) packed one after another: near-linear, and only the last server of each group is partial.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Bins = list[list[int]]
Foes = Sequence[frozenset[int]]  # per item, the items it may not share a server with
GROUP = 8_000  # items per group of the bin-centric greedy (quadratic within a group)
PAIR_WORK = 3e-8  # nominal seconds per (item placed, item looked at) pair (deterministic runs)


def bin_centric(norm: np.ndarray, by_dot_product: bool, foes: Foes = ()) -> Bins:
    """Servers filled one at a time (Panigrahy et al. 2011, the bin-centric family): each takes the
    fitting item whose normalised size has the largest dot product with the room left, or that
    leaves the smallest squared room, until none fits. Item-centric first fit places each item
    in turn and scatters small items; filling one server at a time packs them tight. `foes` never
    share a server."""
    left = np.ones(len(norm), dtype=bool)
    bins: Bins = []
    while left.any():
        room, members = np.ones(norm.shape[1]), []
        barred = np.zeros(len(norm), dtype=bool)
        while True:
            fits = left & ~barred & (norm <= room + 1e-12).all(axis=1)
            if not fits.any():
                break
            score = norm @ room if by_dot_product else -((room - norm) ** 2).sum(axis=1)
            i = int(np.argmax(np.where(fits, score, -np.inf)))
            members.append(i)
            left[i] = False
            room = room - norm[i]
            if foes:
                barred[list(foes[i])] = True
        bins.append(members)
    return bins


def grouped_bin_centric(norm: np.ndarray, by_dot_product: bool, foes: Foes = ()) -> Bins:
    """`bin_centric` on groups of at most GROUP items (every k-th item by size, so each group has
    the whole range of sizes); foes in different groups never meet, those in one group are kept apart."""
    groups = -(-len(norm) // GROUP)
    if groups <= 1:
        return bin_centric(norm, by_dot_product, foes)
    by_size = np.argsort(-norm.sum(axis=1), kind="stable")
    bins: Bins = []
    for g in range(groups):
        members = by_size[g::groups].tolist()
        local = {item: j for j, item in enumerate(members)}
        group_foes = [frozenset(local[f] for f in foes[i] if f in local) for i in members] if foes else ()
        bins += [[members[j] for j in b] for b in bin_centric(norm[members], by_dot_product, group_foes)]
    return bins


def bin_centric_work(items: int) -> float:
    """The nominal work of one grouped bin-centric pass over `items` items."""
    groups = max(1, -(-items // GROUP))
    return PAIR_WORK * items * items / groups
