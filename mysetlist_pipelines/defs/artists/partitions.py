from __future__ import annotations

import threading

import dagster as dg

# One partition per artist; keys come from lib.artist_keys (readable, assigned once, never changed).
artists_partitions = dg.DynamicPartitionsDefinition(name="artists")

# A partition range of dynamic partitions resolves by loading every key of the asset (Dagster's
# `context.partition_keys` does it on each access: 100,000 keys at the fleet's size). Every step of
# a batch run asks for the same range, so it is resolved once per run in its process.
_RANGES: dict[tuple[str, str, str], tuple[str, ...]] = {}
_RANGES_LOCK = threading.Lock()
_RANGES_KEPT = 16


def run_partition_keys(
    context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext | dg.OpExecutionContext,
) -> tuple[str, ...]:
    """The run's partition keys: one key without any load, a range once per run."""
    if context.has_partition_key:
        return (context.partition_key,)
    if not context.has_partition_key_range:
        return ()
    key_range = context.partition_key_range
    cache_key = (context.run.run_id, key_range.start, key_range.end)
    with _RANGES_LOCK:
        keys = _RANGES.get(cache_key)
    if keys is None:
        keys = tuple(context.partition_keys)
        with _RANGES_LOCK:
            if len(_RANGES) >= _RANGES_KEPT:
                _RANGES.pop(next(iter(_RANGES)))
            _RANGES[cache_key] = keys
    return keys
