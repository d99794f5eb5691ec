"""lib/fleet against a real database: selections, allowances, batches, trending, past shows, cleanup."""

from __future__ import annotations

import math
from datetime import timedelta

import psycopg
import pytest

from mysetlist_pipelines.lib import fleet
from mysetlist_pipelines.lib.fleet import selection
from mysetlist_pipelines.lib.fleet.cleanup import cleanup_old_data
from mysetlist_pipelines.lib.fleet.past import settle_past_shows
from mysetlist_pipelines.lib.fleet.trending import recompute
from mysetlist_pipelines.lib.http import Budget

from .fleet_helpers import DAY, HOUR, add_artist, add_setlist, add_show, cron_rows, now, today
from .tracking_helpers import insert_job


def names(cands: list[fleet.Candidate]) -> list[str]:
    return [c.name for c in cands]


def test_active_artists_with_stale_shows(db: psycopg.Connection) -> None:
    a, _ = add_artist(db, "Stale Eight Hours", shows_ago=8 * HOUR)
    add_show(db, a, 10)
    b, _ = add_artist(db, "Fresh One Hour", shows_ago=HOUR)
    add_show(db, b, 10)
    c, _ = add_artist(db, "Never Synced", key=None)  # the old app's row: no partition key yet
    add_show(db, c, None)  # a date-less show still upcoming makes it active
    d, _ = add_artist(db, "Only Past Shows", shows_ago=3 * DAY)
    add_show(db, d, -5, status="completed")
    add_artist(db, "Imported Last Week", created_ago=7 * DAY, shows_ago=2 * DAY)
    e, _ = add_artist(db, "No Ticketmaster", tm=None, shows_ago=3 * DAY)
    add_show(db, e, 3)
    f, _ = add_artist(db, "Support Act", shows_ago=4 * DAY)
    add_show(db, a, 20, also=(f,))  # on another artist's bill
    g, _ = add_artist(db, "Cancelled Only", shows_ago=4 * DAY)
    add_show(db, g, 12, status="cancelled")
    h, _ = add_artist(db, "Being Synced", shows_ago=4 * DAY)
    add_show(db, h, 12)
    insert_job(db, entity_id=h)  # the app asked for it: the request refreshes it
    got = selection.active_with_stale_shows(db, now(), timedelta(hours=6))
    # never synced first, then the least recently refreshed
    assert names(got) == ["Never Synced", "Support Act", "Imported Last Week", "Stale Eight Hours"]
    assert got[0].partition_key is None and got[1].partition_key == "support-act"


def test_followed_artists_count_only_when_the_app_has_the_table(db: psycopg.Connection) -> None:
    a, _ = add_artist(db, "Followed", shows_ago=3 * DAY)
    assert selection.active_with_stale_shows(db, now(), timedelta(hours=6)) == []
    db.execute("CREATE TABLE user_follows_artists (user_id uuid NOT NULL, artist_id uuid NOT NULL)")
    db.execute("INSERT INTO user_follows_artists VALUES (gen_random_uuid(), %s)", (a,))
    assert names(selection.active_with_stale_shows(db, now(), timedelta(hours=6))) == ["Followed"]


def test_other_selections(db: psycopg.Connection) -> None:
    add_artist(db, "Old Profile", profile_ago=8 * DAY)
    add_artist(db, "New Profile", profile_ago=2 * DAY)
    add_artist(db, "No Image", image=None, profile_ago=2 * DAY)
    add_artist(db, "No Image Just Looked", image=None, profile_ago=HOUR)
    add_artist(db, "No Image No Spotify", image=None, spotify=None, profile_ago=2 * DAY)
    add_artist(db, "Old Catalog", catalog_ago=8 * DAY, profile_ago=2 * DAY)
    add_artist(db, "Catalog No Spotify", spotify=None, catalog_ago=8 * DAY, profile_ago=2 * DAY)
    t = now()
    assert names(selection.stale_profiles(db, t, 7 * DAY)) == ["Old Profile"]
    assert names(selection.missing_images(db, t, DAY)) == ["No Image"]
    catalogs = names(selection.stale_catalogs(db, t, 7 * DAY))
    # never-synced catalogs first (every artist above without catalog_ago), then "Old Catalog"
    assert catalogs[-1] == "Old Catalog" and "Catalog No Spotify" not in catalogs
    assert set(catalogs) == {"Old Profile", "New Profile", "No Image", "No Image Just Looked", "Old Catalog"}


def test_master_sync_selects_active_artists_with_any_part_older_than_a_day(db: psycopg.Connection) -> None:
    parts = {"catalog_ago": HOUR, "shows_ago": HOUR, "setlists_ago": HOUR}
    fresh, _ = add_artist(db, "All Fresh", **parts)
    old_setlists, _ = add_artist(db, "Old Setlists", **{**parts, "setlists_ago": 2 * DAY})
    never, _ = add_artist(db, "Never Setlists", **{**parts, "setlists_ago": None})
    add_artist(db, "Inactive", catalog_ago=3 * DAY)  # no show: not active
    for a in (fresh, old_setlists, never):
        add_show(db, a, 30)
    assert names(selection.active_for_update(db, now(), timedelta(hours=20))) == [
        "Never Setlists",
        "Old Setlists",
    ]


def test_past_shows_are_settled_and_their_headliners_selected(db: psycopg.Connection) -> None:
    a, _ = add_artist(db, "Played Yesterday", setlists_ago=2 * DAY)
    s1 = add_show(db, a, -1)  # still `upcoming`: settled as completed
    b, _ = add_artist(db, "Has Its Setlist")
    s2 = add_show(db, b, -2, status="completed")
    add_setlist(db, s2, b, "actual")
    c, _ = add_artist(db, "No Mbid", mbid=None)
    add_show(db, c, -1, status="completed")
    d, _ = add_artist(db, "Cancelled")
    add_show(db, d, -1, status="cancelled")
    e, _ = add_artist(db, "Too Long Ago")
    add_show(db, e, -10, status="completed")
    f, _ = add_artist(db, "Tonight")
    add_show(db, f, 0)
    past = settle_past_shows(db, today(), 3)
    assert past.settled == 1 and past.missing_setlists == 2 and past.without_mbid == 1
    assert db.execute("SELECT status FROM shows WHERE id = %s", (s1,)).fetchone() == ("completed",)
    assert names(selection.past_shows_without_setlists(db, now(), 3)) == ["Played Yesterday"]
    assert settle_past_shows(db, today(), 3).settled == 0


def test_allowances_keep_the_reserve_and_count_queued_work(db: psycopg.Connection) -> None:
    budgets = {
        "spotify": Budget("spotify", 1000, 100, 900, now(), None, None),
        "setlistfm": Budget("setlistfm", 100, 0, 100, now(), None, None),
    }
    calm = fleet.allowances(budgets, 0.2, 0, {})
    assert calm["spotify"].reserve == 200 and calm["spotify"].available == 700
    # ten app requests waiting need more than 20 % of setlist.fm's day: the reserve grows to fit them
    for _ in range(10):
        insert_job(db)
    waiting = fleet.app_requests_waiting(db)
    assert waiting == 10
    busy = fleet.allowances(budgets, 0.2, waiting, {"setlistfm": 7})
    assert busy["setlistfm"].reserve == 10 * fleet.IMPORT_CALLS["setlistfm"]
    assert busy["setlistfm"].available == 100 - 40 - 7


def test_open_batches_then_committed_calls(db: psycopg.Connection) -> None:
    keys = []
    for i in range(5):
        _, key = add_artist(db, f"Artist {i}")
        keys.append(key)
    order = [keys[0], "someone-else", *keys[1:]]
    calls = {k: {"spotify": 2, "setlistfm": 1} for k in keys}
    tick = now().replace(microsecond=0)
    batches = fleet.open_batches(db, "master-sync", tick, fleet.WORK["update"], calls, order, size=3)
    assert [b.partition_keys for b in batches] == [keys[:3], keys[3:]]
    assert batches[0].skipped_keys == ["someone-else"]
    assert batches[0].expected_calls == {"spotify": 7, "ticketmaster": 0, "setlistfm": 3}
    assert fleet.load_tick(db, "master-sync", tick) == batches
    rows = db.execute(
        "SELECT j.job_type, j.priority, j.status, j.metadata->>'batch_id', t.partition_key, "
        "(SELECT count(*) FROM sync_progress p WHERE p.job_id = j.id) FROM sync_jobs j "
        "JOIN pipelines.sync_job_targets t ON t.job_id = j.id ORDER BY t.partition_key"
    ).fetchall()
    assert [(r[0], r[1], r[2], r[5]) for r in rows] == [("update", 3, "in_progress", 5)] * 5
    assert {r[4]: r[3] for r in rows} == {k: batches[0 if k in keys[:3] else 1].batch_id for k in keys}
    assert fleet.batch_members(db, batches[0].batch_id) == set(keys[:3])
    # all queued: the whole estimate is committed; once two of the first batch are done, a third of it
    assert fleet.committed_calls(db) == {"spotify": 7 + 5, "ticketmaster": 0, "setlistfm": 5}
    db.execute(
        "UPDATE pipelines.sync_job_targets SET status = 'succeeded' WHERE partition_key = ANY(%s)",
        (keys[:2],),
    )
    assert fleet.committed_calls(db)["spotify"] == math.ceil(7 / 3) + 5


def test_a_profile_batch_has_one_step_per_artist(db: psycopg.Connection) -> None:
    _, key = add_artist(db, "Solo")
    assert key is not None
    (batch,) = fleet.open_batches(db, "sync-artist-images", now(), fleet.WORK["profile"], {key: {}}, [key], 5)
    assert batch.asset_selection == ["artist_profile"]
    assert batch.run_config == {"ops": {"artist_profile": {"config": {"force": True}}}}
    steps = db.execute(
        "SELECT p.step FROM sync_progress p JOIN pipelines.sync_job_targets t ON t.job_id = p.job_id "
        "WHERE t.batch_id = %s",
        (batch.batch_id,),
    ).fetchall()
    assert steps == [("fetching_artist",)]


def test_trending_scores_on_a_hand_computed_example(db: psycopg.Connection) -> None:
    a, _ = add_artist(db, "Alpha")
    b, _ = add_artist(db, "Beta")
    c, _ = add_artist(db, "Gamma")
    s1 = add_show(db, a, 0)  # today, 5 votes:            (1 + 5) * 0.5^(0/30)  = 6
    add_setlist(db, s1, a, upvotes=(3, 2))
    s2 = add_show(db, a, 30, also=(b,))  # in 30 days, 1 vote:  (1 + 1) * 0.5^(30/30) = 1
    add_setlist(db, s2, a, upvotes=(1, 0))
    s3 = add_show(db, b, 60)  # in 60 days, no votes:      1 * 0.5^(60/30)       = 0.25
    s4 = add_show(db, b, None)  # no date yet (counts as 90 days): 0.5^3           = 0.125
    s5 = add_show(db, c, -3, status="completed")  # past: 0, whatever its votes
    add_setlist(db, s5, c, "actual", upvotes=(50,))
    s6 = add_show(db, c, 10, status="cancelled")  # cancelled: 0
    counts = recompute(db, today())
    shows = dict(db.execute("SELECT id::text, trending_score FROM shows").fetchall())
    assert shows == {s1: 6.0, s2: 1.0, s3: 0.25, s4: 0.125, s5: 0.0, s6: 0.0}
    artists = dict(db.execute("SELECT name, trending_score FROM artists").fetchall())
    # Alpha: 6 + 1; Beta (co-headliner of s2): 1 + 0.25 + 0.125; Gamma: nothing still to come
    assert artists == {"Alpha": 7.0, "Beta": 1.375, "Gamma": 0.0}
    assert (counts.shows_trending, counts.artists_trending) == (4, 2)
    # a show 10 days away: 0.5^(1/3) = 0.793701 (6 decimals)
    s7 = add_show(db, c, 10)
    recompute(db, today())
    assert db.execute("SELECT trending_score FROM shows WHERE id = %s", (s7,)).fetchone() == (0.793701,)
    # nothing changed: nothing is written
    again = recompute(db, today())
    assert (again.shows_changed, again.artists_changed) == (0, 0)


def test_trending_columns_are_added_to_the_app_schema_only_when_missing(db: psycopg.Connection) -> None:
    cols = db.execute(
        "SELECT table_name, data_type FROM information_schema.columns WHERE column_name = 'trending_score' "
        "AND table_name IN ('artists', 'shows') ORDER BY table_name"
    ).fetchall()
    assert cols == [("artists", "double precision"), ("shows", "double precision")]


def test_cleanup_and_cron_logs(db: psycopg.Connection) -> None:
    old = insert_job(db)
    db.execute(
        "UPDATE sync_jobs SET status = 'completed', completed_at = now() - interval '8 days' WHERE id = %s",
        (old,),
    )
    recent = insert_job(db)
    db.execute("UPDATE sync_jobs SET status = 'completed', completed_at = now() WHERE id = %s", (recent,))
    db.execute(
        "INSERT INTO pipelines.fleet_batches (batch_id, schedule, tick, job_name, job_type, partition_keys, "
        "range_start, range_end, created_at) VALUES ('old', 's', now(), 'update', 'update', '{a}', 'a', 'a', "
        "now() - interval '31 days')"
    )
    done = cleanup_old_data(db)
    assert (done.sync_jobs_deleted, done.fleet_batches_deleted) == (1, 1)
    assert db.execute("SELECT id FROM sync_jobs").fetchall() == [(recent,)]


def test_cron_run_writes_one_row_success_or_failed(app_db: str) -> None:
    def connect() -> psycopg.Connection:
        return psycopg.connect(app_db, autocommit=True)

    tick = now().replace(microsecond=0)
    with fleet.CronRun(connect, "update-active-artists", tick) as run:
        run.result["launched"] = {"runs": 2}
    with pytest.raises(RuntimeError), fleet.CronRun(connect, "master-sync", tick):
        raise RuntimeError("boom with apikey=abcdef123456 in it")
    with connect() as conn:
        (ok,) = cron_rows(conn, "update-active-artists")
        (bad,) = cron_rows(conn, "master-sync")
        assert fleet.already_logged(conn, "update-active-artists", tick)
    assert ok["status"] == "success" and ok["result"] == {"tick": tick.isoformat(), "launched": {"runs": 2}}
    assert ok["execution_time_ms"] >= 0 and ok["error_message"] is None
    assert bad["status"] == "failed" and "boom" in bad["error_message"]
    assert "abcdef123456" not in bad["error_message"]


def test_two_ticks_at_once_never_take_the_same_artist(app_db: str, db: psycopg.Connection) -> None:
    """Production ticks schedules in threads: the second tick waits for the first to open its
    batches, then finds those artists in flight."""
    import threading

    keys = []
    for i in range(4):
        artist, key = add_artist(
            db, f"Both Stale {i}", shows_ago=2 * DAY, setlists_ago=2 * DAY, catalog_ago=2 * DAY
        )
        add_show(db, artist, 5)
        keys.append(key)
    budgets = {p: Budget(p, 10_000, 0, 10_000, now(), None, None) for p in fleet.PROVIDERS}
    allowed = fleet.allowances(budgets, 0.0, 0, {})
    results: dict[str, fleet.RefreshOutcome] = {}

    def tick(route: str, work: str, select: object) -> None:
        with psycopg.connect(app_db, autocommit=True) as conn:
            info = fleet.TickInfo(route, now(), now(), 10)
            results[route] = fleet.refresh(conn, info, fleet.WORK[work], select, allowed, lambda _: keys)  # type: ignore[arg-type]

    holder = psycopg.connect(app_db, autocommit=True)
    holder.execute("SELECT pg_advisory_lock(hashtext('pipelines.fleet_tick'))")  # both start together
    threads = [
        threading.Thread(target=tick, args=("update-active-artists", "shows",
                                            lambda c, t: selection.active_with_stale_shows(c, t, 6 * HOUR))),
        threading.Thread(target=tick, args=("master-sync", "update",
                                            lambda c, t: selection.active_for_update(c, t, 20 * HOUR))),
    ]  # fmt: skip
    for t in threads:
        t.start()
    holder.execute("SELECT pg_advisory_unlock(hashtext('pipelines.fleet_tick'))")
    holder.close()
    for t in threads:
        t.join(timeout=60)
    taken = [k for r in results.values() for b in r.batches for k in b.partition_keys]
    assert sorted(taken) == sorted(keys)  # each artist once, by whichever tick came first
    assert {len(r.batches) for r in results.values()} == {0, 1}
