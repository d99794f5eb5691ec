"""End to end: one malformed setlist inside a good, real setlist.fm page (../shared/realdata, served over
HTTP by the replay server with two of its items broken) is skipped; the count reaches the step's Dagster
metadata and the sync_progress message, and the rest of the page lands in Postgres.

`dg.materialize` runs `artist_setlists` with the project's real resources (AppDatabase, ProviderClients
built from the settings, the tracking hook that writes sync_jobs / sync_progress) on the test Postgres.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg
import psycopg
import pytest

from mysetlist_pipelines.lib import artist_keys, tracking
from mysetlist_pipelines.lib.settings import get_settings
from mysetlist_pipelines.lib.sync.artist_setlists import DEFAULT_YEARS_BACK
from mysetlist_pipelines.lib.tracking.run_tags import RUN_KEY_TAG

from .artist_support import step_metadata
from .replay import PHISH, REALDATA, ReplayServer, raw_setlist_facts
from .replay import load as raw
from .tracking_helpers import insert_job

PAGE = "setlistfm/artist-setlists-phish-2025.json"
BAD_DATE, NO_ID = 3, 7  # the page's items broken by the edit below
pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"no recorded answers at {REALDATA}")


def broken(page: dict[str, Any]) -> dict[str, Any]:
    """The recorded page with a date that does not exist and a setlist without its id."""
    page = copy.deepcopy(page)
    page["setlist"][BAD_DATE]["eventDate"] = "31-02-2025"
    del page["setlist"][NO_ID]["id"]
    return page


@pytest.fixture
def replay_env(app_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayServer]:
    server = ReplayServer().start()
    for name, value in server.urls().items():
        monkeypatch.setenv(name.upper(), value)
    monkeypatch.setenv("SETLISTFM_API_KEY", "replay-key")
    monkeypatch.setenv("SETLISTFM_RATE_LIMIT_PER_SECOND", "100")
    get_settings.cache_clear()
    yield server
    get_settings.cache_clear()
    server.stop()


def expected_setlists(today: datetime) -> list[dict[str, Any]]:
    """The page's setlists the step must store: not broken, within the years it reads back (the page
    is newest first and reading stops at the first older one), with at least one song played."""
    since = (today - timedelta(days=365 * DEFAULT_YEARS_BACK)).date()
    kept = []
    for i, item in enumerate(raw(PAGE)["setlist"]):
        if i in (BAD_DATE, NO_ID):
            continue
        if datetime.strptime(item["eventDate"], "%d-%m-%Y").date() < since:
            break
        if raw_setlist_facts(item)["played"]:
            kept.append(item)
    return kept


def test_a_malformed_setlist_is_skipped_counted_and_the_rest_lands(
    replay_env: ReplayServer, app_db: str
) -> None:
    from mysetlist_pipelines.defs.artists.assets import artist_setlists
    from mysetlist_pipelines.defs.resources import build_resources

    with psycopg.connect(app_db, autocommit=True) as conn:
        (artist_id,) = conn.execute(
            "INSERT INTO artists (name, slug, mbid) VALUES ('Phish', 'phish', %s) RETURNING id::text",
            (PHISH,),
        ).fetchone()
        # The app's request, claimed as the intake sensor claims it (lib/tracking/intake/claim.py): a
        # sync_jobs row, its sync_progress rows, and the tags its run carries.
        job_id = insert_job(conn, entity_id=artist_id, setlistfm_id=PHISH, job_type="shows_only")
        (launch,) = tracking.claim_pending(conn, 10).launches
        key = launch.partition_key
        artist_keys.link(conn, key, artist_id, name="Phish", mbid=PHISH)
    want = expected_setlists(datetime.now(UTC))
    assert len(want) >= 10

    with dg.instance_for_test() as instance, replay_env.scene(PAGE, edits={PAGE: broken}) as log:
        instance.add_dynamic_partitions("artists", [key])
        result = dg.materialize(
            [artist_setlists],
            partition_key=key,
            instance=instance,
            resources=build_resources(app_db),
            tags={**launch.tags, RUN_KEY_TAG: launch.run_key},
        )
        assert result.success
    assert [r.query["p"] for r in log] == ["1", "2"]  # page 2 is not recorded: the end

    meta = step_metadata(result, "artist_setlists")
    malformed = {k: v for k, v in meta["skipped"].items() if k.startswith("malformed")}  # type: ignore[union-attr]
    assert malformed == {"malformed setlist (eventDate)": 1, "malformed setlist (id)": 1}
    assert "skipped malformed provider items: 2 setlists" in str(meta["summary"])

    with psycopg.connect(app_db) as conn:
        stored = {
            r[0]
            for r in conn.execute(
                "SELECT external_id FROM setlists WHERE artist_id = %s AND type = 'actual'", (artist_id,)
            )
        }
        songs = conn.execute(
            "SELECT count(*) FROM setlist_songs ss JOIN setlists s ON s.id = ss.setlist_id WHERE s.artist_id = %s",
            (artist_id,),
        ).fetchone()[0]
        progress = conn.execute(
            "SELECT status, message FROM sync_progress WHERE job_id = %s AND step = 'importing_setlists'",
            (job_id,),
        ).fetchall()
    page = raw(PAGE)["setlist"]
    assert stored == {s["id"] for s in want}
    assert page[BAD_DATE]["id"] not in stored
    assert songs == sum(len(raw_setlist_facts(s)["played"]) for s in want)
    assert len(progress) == 1
    status, message = progress[0]
    assert status == "completed" and "skipped malformed provider items: 2 setlists" in message
