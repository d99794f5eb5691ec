"""The bundled data: consistent, documented (data/README.md matches it), and its counts reachable over HTTP
with nothing but the rules of external-apis.md."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from mysetlist_pipelines_tests.sandbox_calls import Spotify, fm, tm
from mysetlist_sandbox.dataset import DATA_DIR, Dataset
from mysetlist_sandbox.expected import render_tables, validate
from mysetlist_sandbox.server import SandboxServer

BUNDLED = [
    "echo-valley",
    "ghost-arcade",
    "hollow-pines",
    "melodie-fjord",
    "neon-harbor",
    "paper-satellites",
    "velvet-static",
    "zoe-marlowe",
]
README = DATA_DIR / "README.md"

# external-apis.md, "Telling studio songs from the rest", written independently of the sandbox's own tags.
_LIVE_RELEASE = re.compile(r"^live (at|from|in)\b|\(live\b[^)]*\)|unplugged|\blive$", re.IGNORECASE)
_DASH_VERSION = re.compile(
    r" - (live\b.*|.*\bremix|radio edit|acoustic|demo|instrumental|remastered \d{4}|\d{4} remaster)$",
    re.IGNORECASE,
)
_BRACKET_VERSION = re.compile(r"\s*[(\[](live\b[^)\]]*|[^)\]]*\bremix|karaoke version)[)\]]$", re.IGNORECASE)
_FEAT = re.compile(r"\s*[(\[]feat\.[^)\]]*[)\]]", re.IGNORECASE)


def _studio_title(title: str) -> str | None:
    """The song a track is a studio recording of, or None for a live/remix/edit/... version."""
    for pattern in (_DASH_VERSION, _BRACKET_VERSION):
        m = pattern.search(title)
        if m:
            return title[: m.start()] if "remaster" in m.group(0).lower() else None
    return title


def _normalize(title: str) -> str:
    text = unicodedata.normalize("NFKD", _FEAT.sub("", title))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).casefold().split())


def test_data_is_consistent_on_any_date() -> None:
    ds = Dataset(synthetic_artists=5)
    assert [r.key for r in ds.refs if not r.synthetic] == BUNDLED
    for today in (date(2026, 1, 1), date(2031, 7, 19)):
        assert validate(ds, today) == []


def test_readme_tables_match_the_data() -> None:
    text = README.read_text(encoding="utf-8")
    generated = text.split("<!-- BEGIN GENERATED -->\n", 1)[1].split("<!-- END GENERATED -->", 1)[0]
    assert generated == render_tables(Dataset(), date(2026, 1, 1)), (
        "data/README.md is stale: regenerate with `python -m mysetlist_sandbox.expected`"
    )


def test_bundled_data_stays_small() -> None:
    size = sum(p.stat().st_size for p in Path(DATA_DIR).glob("*.json"))
    assert size < 300_000


def test_ids_are_unique_across_the_catalog() -> None:
    ds = Dataset(synthetic_artists=50)
    albums = [a.id for artist in ds.catalog.artists.values() for a in artist.albums]
    assert len(albums) == len(set(albums)) == len(ds.catalog.albums)
    tracks = [t.id for a in ds.catalog.albums.values() for t in a.tracks]
    assert len(tracks) == len(set(tracks))
    live = ds.live(date(2026, 1, 1))
    assert len({e.id for e in live.events}) == len(live.events)
    assert len({s.id for s in live.setlists}) == len(live.setlists)


@pytest.mark.parametrize("key", BUNDLED)
def test_counts_are_reachable_over_http(sandbox_env: SandboxServer, key: str) -> None:
    expected = sandbox_env.expected(key)
    ref = sandbox_env.artist(key)
    sp = Spotify(sandbox_env.base_url)
    releases, pages = sp.all_pages(
        f"/artists/{ref.spotify_id}/albums", include_groups="album,single", market="US", limit=10
    )
    songs: set[str] = set()
    for release in releases:
        album = sp.get(f"/albums/{release['id']}", market="US").json()
        tracks = album["tracks"]
        items = list(tracks["items"])
        if tracks["next"]:
            items += sp.all_pages(tracks["next"])[0]
        if _LIVE_RELEASE.search(album["name"]):
            continue
        songs |= {_normalize(s) for t in items if (s := _studio_title(t["name"])) is not None}
    spotify = expected["spotify"]
    assert (len(releases), pages) == (spotify["releases"], spotify["album_pages"])
    assert len(songs) == spotify["studio_songs"]
    calls = sandbox_env.counters()["calls"]
    spent = (
        calls.get("spotify:artist_albums", 0)
        + calls.get("spotify:album", 0)
        + calls.get("spotify:album_tracks", 0)
    )
    assert spent == spotify["catalog_calls"]

    events = tm(
        sandbox_env.base_url,
        "/events.json",
        attractionId=ref.tm_attraction_id,
        startDateTime="2000-01-01T00:00:00Z",
        includeTBA="yes",
        size=200,
    ).json()
    assert events["page"]["totalElements"] == expected["ticketmaster"]["events"]
    upcoming = tm(sandbox_env.base_url, "/events.json", attractionId=ref.tm_attraction_id, size=200).json()
    assert upcoming["page"]["totalElements"] == expected["ticketmaster"]["upcoming_dated"]

    first = fm(sandbox_env.base_url, f"/artist/{ref.mbid}/setlists")
    total = first.json()["total"] if first.status_code == 200 else 0
    assert total == expected["setlistfm"]["setlists"]
