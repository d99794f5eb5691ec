"""Cutting a tick's artists into batch runs: partition ranges of the `artists` dynamic partitions.

A Dagster run covers a *range* of partitions, and a range follows the partitions' insertion order
(when each artist was first registered), not the order a tick selected them in. So the selected
artists are sorted into partition order and cut into groups of at most `size` artists whose range
spans at most `SPAN_FACTOR * size` partitions. Partitions inside a range that the tick did not select
are skipped by the run at no provider cost (defs/artists/step_runner.run_step syncs only the members of
the run's batch: the partitions its `sync_jobs` rows were opened for); the run records a
materialization only for the artists whose steps completed (defs/artists/step_runner
PER_PARTITION_EVENTS_TAG), so skipped partitions keep their status, and the run's metadata says which
artists were skipped and why. The span cap bounds that bookkeeping: a sparse selection gets more,
smaller runs rather than ranges that are mostly skipped partitions.

Apart from the batches' rows (batches.py, batch_opening.py) because it is pure: keys in, ranges out.
"""

from __future__ import annotations

from collections.abc import Sequence

SPAN_FACTOR = 2


def group(
    selected: Sequence[str], order: Sequence[str], size: int, span_factor: int = SPAN_FACTOR
) -> list[tuple[list[str], list[str]]]:
    """(members, every partition of the range) per batch, in partition order."""
    position = {key: i for i, key in enumerate(order)}
    missing = [k for k in selected if k not in position]
    if missing:
        raise ValueError(f"not registered as artist partitions: {missing[:5]}")
    keys = sorted(set(selected), key=position.__getitem__)
    groups: list[tuple[list[str], list[str]]] = []
    members: list[str] = []
    for key in keys:
        if members and (
            len(members) >= size or position[key] - position[members[0]] + 1 > span_factor * size
        ):
            groups.append((members, list(order[position[members[0]] : position[members[-1]] + 1])))
            members = []
        members.append(key)
    if members:
        groups.append((members, list(order[position[members[0]] : position[members[-1]] + 1])))
    return groups
