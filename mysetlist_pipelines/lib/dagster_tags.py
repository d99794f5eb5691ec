"""The Dagster run and op tags this project reads or writes, by their public string values.

Dagster documents these tags by value (`dagster/priority`, `dagster/max_retries`, ...) but exports
their constants only from a private module, so the values live here, once, and nowhere else.
test_dagster_contract.py compares each with Dagster's own constant: a Dagster upgrade that renames
one fails that test instead of silently breaking the tracking.
No Dagster import here: lib/ stays plain Python.
"""

from __future__ import annotations

# Written by Dagster on the runs it creates.
RUN_KEY_TAG = "dagster/run_key"
PARTITION_TAG = "dagster/partition"
ASSET_PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
ASSET_PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"
RETRY_NUMBER_TAG = "dagster/retry_number"
WILL_RETRY_TAG = "dagster/will_retry"
AUTO_RETRY_RUN_ID_TAG = "dagster/auto_retry_run_id"
BACKFILL_TAG = "dagster/backfill"
SCHEDULE_NAME_TAG = "dagster/schedule_name"
SENSOR_NAME_TAG = "dagster/sensor_name"

# Set by this project to steer Dagster.
PRIORITY_TAG = "dagster/priority"  # run queue order; also an op tag (step order within a run)
MAX_RETRIES_TAG = "dagster/max_retries"
RETRY_STRATEGY_TAG = "dagster/retry_strategy"
RETRY_ON_STEP_FAILURE_TAG = "dagster/retry_on_asset_or_op_failure"
# A range run records one materialization per partition it reports, not one per partition in range.
DEFER_ASSET_EVENTS_TAG = "dagster/defer_asset_events"
