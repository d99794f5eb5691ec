"""`predicted_setlists`: a predicted setlist per upcoming show (lib/sync/predictions.py)."""

import dagster as dg

from mysetlist_pipelines.lib.dagster_tags import PRIORITY_TAG
from mysetlist_pipelines.lib.sync.predictions import sync_predictions

from ..resources import AppDatabase, ProviderClients
from .common import GROUP, STEP_ORDER, artist_id_for, run_step, today
from .partitions import artists_partitions


@dg.asset(
    partitions_def=artists_partitions,
    group_name=GROUP,
    kinds={"postgres"},
    deps=["artist_profile"],
    op_tags={PRIORITY_TAG: STEP_ORDER["predictions"]},
    description="A predicted setlist for every upcoming show: songs ranked by how often and how "
    "recently they were played, catalog order without history. Never rewritten once voted on.",
)
def predicted_setlists(
    context: dg.AssetExecutionContext, app_db: AppDatabase, providers: ProviderClients
) -> dg.MaterializeResult:
    def step(conn, clients, key):  # type: ignore[no-untyped-def]
        return sync_predictions(conn, artist_id_for(conn, key), today=today())

    return run_step(context, "predicted_setlists", app_db, providers, step)
