"""The random draw (双随机): which enterprises, and which inspectors for each, from a seed.

Pure functions of their arguments, so that anyone holding a draw's record (its seed, the
eligible enterprises with their weights, the pool; all in the ``draw`` event of the plan) can
run :func:`draw` again and get the same tasks: 双随机、一公开. ``ALGORITHM`` names this very
procedure in the record; a change to it is a new name.

1. Enterprises. The eligible ones are taken in the order of their ids. Each gets the key
   ``u ** (1 / w)``, ``u`` the next ``random.Random(seed).random()`` and ``w`` its weight
   (DRAW_WEIGHTS: red 3, orange 2, yellow and blue 1; every weight 1 when the plan is not
   weighted). The ``count`` largest keys are drawn, largest first (Efraimidis–Spirakis weighted
   sampling without replacement: each enterprise's chance to come up first is its weight over
   the sum of the weights; every eligible enterprise can come up).
2. Inspectors, task by task in that order: each of the pool who may go there (works in the
   enterprise's community) gets the next ``random()`` as a key, taken in the order of their
   ids; the ``per_task`` with the fewest tasks so far are sent, the smaller key first among
   equals. The work is spread evenly and who goes with whom is left to chance.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

ALGORITHM = "anxun-draw-1"


@dataclass(frozen=True)
class Candidate:
    """An eligible enterprise as the draw sees it."""

    id: str
    community_id: str
    weight: int


@dataclass(frozen=True)
class Drawn:
    enterprise_id: str
    inspector_ids: tuple[str, ...]


def draw(seed: str, candidates: list[Candidate], pool: dict[str, set[str]], count: int,
         per_task: int) -> list[Drawn]:
    """``count`` tasks from ``candidates`` with ``per_task`` inspectors each from ``pool``
    (``{inspector id: the communities they work in}``), as the module docstring says. The
    caller checks that there are enough of both: every candidate's community has at least
    ``per_task`` of the pool, and ``count`` ≤ ``len(candidates)``."""
    rng = random.Random(seed)
    keyed = []
    for candidate in sorted(candidates, key=lambda c: c.id):
        u = rng.random()
        # u is in [0, 1): u ** (1/w) orders like log(u) / w, without log(0).
        keyed.append((u ** (1.0 / candidate.weight), candidate))
    keyed.sort(key=lambda pair: (-pair[0], pair[1].id))
    chosen = [candidate for _, candidate in keyed[:count]]

    load = {inspector_id: 0 for inspector_id in pool}
    out = []
    for candidate in chosen:
        able = sorted(i for i, communities in pool.items()
                      if candidate.community_id in communities)
        keys = {inspector_id: rng.random() for inspector_id in able}
        sent = sorted(able, key=lambda i: (load[i], keys[i], i))[:per_task]
        for inspector_id in sent:
            load[inspector_id] += 1
        out.append(Drawn(candidate.id, tuple(sorted(sent))))
    return out
