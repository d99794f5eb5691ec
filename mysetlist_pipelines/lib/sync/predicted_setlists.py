"""`predicted_setlists`: a predicted setlist for every upcoming show of the artist (no provider call).

Songs are ranked by how often and how recently the artist played them in its actual setlists
(lib/rules/setlist_songs.rank_songs), falling back to catalog order without history; the length is the median of
the actual setlists (20 without history). A predicted setlist that has votes (its total_votes or any
song's upvotes) or is locked is never rewritten; one without votes follows the current ranking.
"""

from __future__ import annotations

from datetime import date

import psycopg

from ..db import setlists as store
from ..db.bulk import lock
from ..rules.predictions import predict
from . import StepReport


def sync_predictions(conn: psycopg.Connection, artist_id: str, *, today: date) -> StepReport:
    row = conn.execute("SELECT name FROM artists WHERE id = %s", (artist_id,)).fetchone()
    if row is None:
        raise LookupError(f"artist {artist_id} does not exist")
    name = row[0]
    report = StepReport(artist_id)
    with conn.transaction():
        lock(conn, f"artist:{artist_id}")
        upcoming = store.upcoming_show_ids(conn, artist_id, today)
        history = store.history(conn, artist_id)
        catalog = [song_id for song_id, _ in store.own_songs(conn, artist_id)]
        ranked = predict(history, catalog, today)
        states = store.predicted_states(conn, artist_id)
        targets: list[str] = []
        for show_id in upcoming:
            state = states.get(show_id)
            if state is not None and state.votes > 0:
                report.skipped["has votes (never rewritten)"] += 1
            elif state is not None and state.locked:
                report.skipped["locked"] += 1
            elif not ranked:
                report.skipped["no songs known yet"] += 1
            else:
                targets.append(show_id)
        rows = [store.SetlistRow(s, artist_id, "predicted", None, imported_from="api") for s in targets]
        report.writes["setlists"], ids = store.write_setlists(
            conn, rows, match=("show_id", "artist_id", "type")
        )
        by_show = {k[0]: v for k, v in ids.items()}
        songs = [(song_id, None) for song_id in ranked]
        report.writes["setlist_songs"] = store.write_setlist_songs(
            conn, {by_show[s]: songs for s in targets}, played=None
        )
    report.details.update(
        {"upcoming_shows": len(upcoming), "history_setlists": len(history), "predicted_length": len(ranked)}
    )
    basis = f"{len(history)} actual setlists" if history else "catalog order (no setlist history)"
    report.message = f"{name}: {len(targets)} predicted setlists of {len(ranked)} songs from {basis}"
    return report
