"""Holding back a request that may be the same artist as a key still being settled (its profile not
done): `settling_rival`, and how long a key counts as settling.

Apart from registration because only intake asks it, before it registers (lib/tracking/intake/claim.py).
"""

from __future__ import annotations

import psycopg

from .key_lookup import existing_key, with_artist_row
from .key_records import EXTERNAL_COLUMNS, ArtistRequest, validate

# How long a new key being settled (its profile not done) makes a request that may be the same artist
# wait (settling_rival); past it the request registers anyway (the first import is stuck or queued).
SETTLING_SECONDS = 600


def settling_rival(conn: psycopg.Connection, request: ArtistRequest) -> str | None:
    """A key still being settled that may be the same artist as `request`, when `request` would open
    a new key; None: register it now.

    Two requests for one artist by different ids (one by Spotify id, one by Ticketmaster id, in the
    same second) cannot be told apart before a provider answers; registered at once they would get
    two keys, and the second profile sync would find the artist taken. So the second waits (stays
    `pending`) until the first key's profile has linked the artist and its ids, then lands on the
    same key. Only requests by ids alone wait, and only for keys that could be the same artist: no
    artists row yet and no name either, created in the last SETTLING_SECONDS, their job still in
    progress (or registered in this very transaction: the same intake pass), and no id of the same
    service as the request's. A request with a name never waits (most app requests carry one; a
    name meets the other key through `name_key` once that key's profile has linked it).
    """
    validate(request)
    if request.name:
        return None
    request, requested_id = with_artist_row(conn, request)
    if request.artist_id or existing_key(conn, request, requested_id):
        return None
    rows = conn.execute(
        "SELECT k.partition_key, k.tm_attraction_id, k.spotify_id, k.mbid "
        "FROM pipelines.artist_keys k WHERE k.artist_id IS NULL AND k.name_key IS NULL "
        "AND k.created_at > now() - make_interval(secs => %s) "
        # now() is the transaction's start: a key made earlier in this same transaction has it.
        "AND (k.created_at = now() OR EXISTS (SELECT 1 FROM pipelines.sync_job_targets t "
        "  JOIN sync_jobs j ON j.id = t.job_id WHERE t.partition_key = k.partition_key "
        "  AND j.status = 'in_progress')) "
        "ORDER BY k.created_at, k.partition_key",
        (SETTLING_SECONDS,),
    ).fetchall()
    for key, *ids in rows:
        # Both know an id of one service (and they differ, or the key would have matched): not one artist.
        if not any(getattr(request, c) and held for c, held in zip(EXTERNAL_COLUMNS, ids, strict=True)):
            return key
    return None
