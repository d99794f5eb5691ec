"""Pending `sync_jobs` rows become launches (or failures), once each, in one transaction.

Rows are taken highest priority first, then oldest; a row waiting for longer than `AGING_SECONDS`
gains one priority level per period, so a flood of imports can delay fleet refreshes but never starve
them. Rows locked by another claimer are skipped, so two claimers never take the same row.

A request that would open a new artist partition while an earlier one that may be the same artist
is still settling its identity (two same-second requests by a Spotify id and a Ticketmaster id)
stays `pending` for that pass, and lands on the earlier partition once its profile has linked the
ids (artist_keys.settling_rival): one artists row, one partition, both jobs completed.

This module decides; what it produces is in launches.py, its writes in claim_writes.py.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

import psycopg
from psycopg.rows import class_row

from ... import artist_keys
from ...redaction import redact_error
from ..locks import lock_jobs
from ..progress.rollup import rollup
from .claim_writes import write_claims, write_rejections
from .launches import Intake, Launch, Rejection, clamp_priority, retries_allowed, run_key
from .pending_rows import PENDING_COLUMNS, BadRequest, PendingRow
from .requests import artist_requests

log = logging.getLogger(__name__)

AGING_SECONDS = 600


def claim_pending(conn: psycopg.Connection, limit: int, available: Collection[str] | None = None) -> Intake:
    """Take up to `limit` pending rows: launch the valid ones, fail the invalid ones with their error.
    `available`: the job types the code location can run (default: all of them)."""
    intake = Intake([], [])
    with conn.transaction():
        with conn.cursor(row_factory=class_row(PendingRow)) as cur:
            rows = cur.execute(
                f"SELECT {PENDING_COLUMNS} FROM sync_jobs WHERE status = 'pending' "
                "ORDER BY GREATEST(1, LEAST(3, COALESCE(priority, 2)) "
                "  - floor(extract(epoch FROM now() - created_at) / %s)::int), created_at, id "
                "LIMIT %s FOR UPDATE SKIP LOCKED",
                (AGING_SECONDS, limit),
            ).fetchall()
        if not rows:
            return intake
        lock_jobs(conn, [r.id for r in rows])
        planned: list[tuple[PendingRow, list[str]]] = []
        for row in rows:
            try:
                with conn.transaction():  # a savepoint: one bad row never aborts the others
                    wanted = artist_requests(conn, row)
                    if available is not None and row.job_type not in available:
                        raise BadRequest(
                            f"job_type {row.job_type!r} has no Dagster job in this code location "
                            f"(available: {', '.join(sorted(available)) or 'none'})"
                        )
                    try:
                        rival = _settling_rival(conn, row, wanted)
                        if rival is not None:
                            # Stays pending until the rival's profile has settled who it is.
                            log.info("sync job %s waits for partition %s to settle", row.id, rival)
                            intake.waiting.append(row.id)
                            continue
                        keys = artist_keys.register(conn, wanted)
                    except ValueError as exc:
                        raise BadRequest(str(exc)) from None
                    planned.append((row, list(dict.fromkeys(keys))))
            except BadRequest as exc:
                intake.rejections.append(Rejection(row.id, str(exc)))
            except Exception as exc:
                log.exception("sync job %s: could not read the request", row.id)
                intake.rejections.append(
                    Rejection(row.id, redact_error(f"could not read the request: {exc}") or "invalid request")
                )
        generations = dict(
            conn.execute(
                "SELECT job_id, max(generation) FROM pipelines.sync_job_targets WHERE job_id = ANY(%s) "
                "GROUP BY job_id",
                ([row.id for row, _ in planned],),
            ).fetchall()
        )
        targets: list[tuple[PendingRow, str, int, str]] = []
        for row, partition_keys in planned:
            generation = generations.get(row.id, 0) + 1
            for key in partition_keys:
                rk = run_key(row.id, generation, key if len(partition_keys) > 1 else None)
                targets.append((row, key, generation, rk))
                intake.launches.append(
                    Launch(
                        row.id,
                        key,
                        str(row.job_type),
                        rk,
                        clamp_priority(row.priority),
                        retries_allowed(row.auto_retry, row.max_retries),
                    )
                )
        write_claims(conn, [row for row, _ in planned], targets)
        write_rejections(conn, intake.rejections)
        rollup(conn, [row.id for row, _ in planned])
    return intake


def _settling_rival(
    conn: psycopg.Connection, row: PendingRow, wanted: list[artist_keys.ArtistRequest]
) -> str | None:
    """For an artist row: the partition of an earlier request that may be this same artist and whose
    profile is still settling (artist_keys.settling_rival); the row waits for it (issue 12, item 3)."""
    if row.entity_type != "artist" or len(wanted) != 1:
        return None
    return artist_keys.settling_rival(conn, wanted[0])
