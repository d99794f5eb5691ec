"""Intake checks external ids by their real formats and names by length (lib/external_ids.py), against
a real Postgres: a bad row fails alone, at once, with an error naming the field, and leaves no
partition key and no data row; good rows claimed with it are launched."""

from __future__ import annotations

import psycopg
import pytest

from mysetlist_pipelines.lib import artist_keys, tracking
from mysetlist_pipelines.lib.external_ids import BadExternalId, checked
from mysetlist_pipelines.lib.http import ProviderRequestError
from mysetlist_pipelines.lib.http.paths import segment
from mysetlist_pipelines.lib.providers.clients import Providers
from mysetlist_pipelines.lib.text import slugify

from .tracking_helpers import insert_job, job

GOOD_SPOTIFY = "4Z8W4fKeB5YxbusRsdQVPb"


def _keys(db: psycopg.Connection) -> list[str]:
    return [r[0] for r in db.execute("SELECT partition_key FROM pipelines.artist_keys ORDER BY 1")]


@pytest.mark.parametrize(
    ("column", "value", "field"),
    [
        ("ticketmaster_id", "K8v'); DROP TABLE shows; --", "ticketmaster_id"),
        ("ticketmaster_id", "K8vZ9171ob7/../../venues", "ticketmaster_id"),
        ("spotify_id", "4Z8W4fKeB5Yxbus", "spotify_id"),  # too short: Spotify would answer 400
        ("spotify_id", "4Z8W4fKeB5YxbusRsdQVP%", "spotify_id"),
        ("setlistfm_id", "not-a-musicbrainz-id", "setlistfm_id"),
    ],
)
def test_a_malformed_id_fails_its_row_at_once_naming_the_field(
    db: psycopg.Connection, column: str, value: str, field: str
) -> None:
    bad = insert_job(db, **{column: value})  # type: ignore[arg-type]
    good = insert_job(db, spotify_id=GOOD_SPOTIFY)

    intake = tracking.claim_pending(db, limit=10)

    assert [launch.job_id for launch in intake.launches] == [good]
    row = job(db, bad)
    assert row["status"] == "failed" and row["completed_at"] is not None
    assert row["error"].startswith(f"{field} ") and "is not a valid id" in row["error"]
    assert row["total_steps"] == 0
    # Nothing of the bad request became a key (a partition) or a data row.
    assert _keys(db) == ["spotify-4z8w4fkeb5yxbusrsdqvpb"]
    assert db.execute("SELECT count(*) FROM artists").fetchone() == (0,)
    assert db.execute("SELECT to_regclass('public.shows') IS NOT NULL").fetchone() == (True,)


def test_a_huge_artist_name_gets_a_human_error_not_postgres_text(db: psycopg.Connection) -> None:
    bad = insert_job(db, metadata={"artist_name": "x" * 10_000})

    tracking.claim_pending(db, limit=10)

    row = job(db, bad)
    assert row["status"] == "failed"
    assert row["error"].startswith("metadata.artist_name is 10000 characters long")
    assert "index row" not in row["error"] and len(row["error"]) < 300
    assert _keys(db) == []


def test_a_long_but_valid_name_gets_a_short_partition_key(db: psycopg.Connection) -> None:
    name = " ".join(["Orchestra"] * 30)  # 299 characters: allowed
    ok = insert_job(db, metadata={"artist_name": name})

    (launch,) = tracking.claim_pending(db, limit=10).launches

    assert launch.job_id == ok
    assert len(launch.partition_key) <= artist_keys.MAX_KEY_LENGTH
    assert launch.partition_key.startswith("orchestra-orchestra") and not launch.partition_key.endswith("-")


def test_an_upper_case_mbid_is_taken_in_its_canonical_form(db: psycopg.Connection) -> None:
    insert_job(db, setlistfm_id="A74B1B7F-71A5-4011-9441-D0B5E4122711")

    (launch,) = tracking.claim_pending(db, limit=10).launches

    assert launch.partition_key == "mbid-a74b1b7f-71a5-4011-9441-d0b5e4122711"
    key = artist_keys.lookup(db, launch.partition_key)
    assert key.mbid == "a74b1b7f-71a5-4011-9441-d0b5e4122711"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("tm_attraction_id", "K8vZ9171ob7"),
        ("tm_attraction_id", "K8vZ917GP-0"),  # older ids in the real answers carry '-' and '_'
        ("tm_attraction_id", "Z7r9jZ1AeOOb_"),
        ("tm_attraction_id", "Z7r9jZaCVI"),
        ("spotify_id", GOOD_SPOTIFY),
        ("mbid", "a74b1b7f-71a5-4011-9441-d0b5e4122711"),
    ],
)
def test_real_ids_pass(column: str, value: str) -> None:
    assert checked(column, value) == value


def test_every_attraction_id_in_the_real_answers_passes() -> None:
    """The recorded Ticketmaster answers (../shared/realdata) hold current and older attraction ids."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / ".." / "shared" / "realdata" / "ticketmaster"
    seen: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for a in node.get("attractions") or ():
                if isinstance(a, dict) and isinstance(a.get("id"), str):
                    seen.add(a["id"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(root.glob("*.json")):
        walk(json.loads(path.read_text()))
    assert len(seen) > 50
    for attraction_id in seen:
        checked("tm_attraction_id", attraction_id)


def test_the_error_quotes_a_short_prefix_of_a_pasted_document() -> None:
    with pytest.raises(BadExternalId) as caught:
        checked("spotify_id", "y" * 5000, "spotify_id")
    assert len(str(caught.value)) < 200


def test_slugify_cuts_at_a_word_boundary() -> None:
    assert slugify("The Quick Brown Fox", max_length=13) == "the-quick"
    assert slugify("x" * 50, max_length=10) == "x" * 10
    assert slugify("Short", max_length=10) == "short"


def test_the_clients_quote_every_path_segment(sandbox_env: object, providers: Providers) -> None:
    """An id that slipped past intake (or came from a provider) can never reach another endpoint: the
    sandbox sees the attraction / artist endpoint with the id as one segment and answers as real
    providers do to a bad id (404, Spotify 400)."""
    from mysetlist_sandbox.server import SandboxServer

    assert isinstance(sandbox_env, SandboxServer)
    venue = "KovZpZAEdFtJ"  # any id: the traversal below must not reach /venues/
    assert providers.ticketmaster.attraction(f"../venues/{venue}") is None
    with pytest.raises(ProviderRequestError, match="HTTP 400: Invalid base62 id"):
        providers.spotify.artist("../albums/x?market=US")  # one segment: Spotify rejects it as an id
    assert providers.setlistfm.artist("../setlist/63de4613") is None
    calls = sandbox_env.counters()["calls"]
    assert set(calls) == {"ticketmaster:attraction", "spotify:artist", "setlistfm:artist", "spotify:token"}
    assert segment("a/b?c#d%e f") == "a%2Fb%3Fc%23d%25e%20f"
    assert segment("..") == "%2E%2E"
