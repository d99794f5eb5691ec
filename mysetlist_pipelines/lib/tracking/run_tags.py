"""The run tags the tracking reads and writes: our own (`mysetlist/...`), and Dagster's by value
(lib/dagster_tags.py, re-exported here so the tracking and defs/ import every tag from one place).

Apart from the records (run_records.py, state_rows.py) because defs/ tags its runs with these without
touching any tracking state.
"""

from __future__ import annotations

from ..dagster_tags import (  # noqa: F401 (re-exported)
    MAX_RETRIES_TAG,
    PARTITION_TAG,
    PRIORITY_TAG,
    RETRY_NUMBER_TAG,
    RETRY_STRATEGY_TAG,
    RUN_KEY_TAG,
)

# Run tags of our own; Dagster's are in lib/dagster_tags.py (re-exported here for the tracking).
SYNC_JOB_TAG = "mysetlist/sync_job_id"
BATCH_TAG = "mysetlist/batch_id"
# A run recording, for Dagster's partition status, that a batch's artist failed (its sync_jobs id):
# it fails at once, calls nothing, and is no sync run (lib/fleet/failure_records.py).
FAILURE_RECORD_TAG = "mysetlist/failure_record"
ARTIST_TAG = "mysetlist/artist"
