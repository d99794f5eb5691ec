"""Ground truth per artist, derived from the data (never from the API): the counts data/README.md
publishes and the asset tests assert. Also validates the data: every version has a studio original,
every song played is in the catalog or listed as unreleased.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date
from typing import Any

from .dataset import Dataset, Live
from .spotify.catalog import STUDIO_KINDS, Album

MARKET = "US"


def catalog_releases(ds: Dataset, spotify_id: str, market: str | None = MARKET) -> list[Album]:
    """The artist's own album and single releases, as `include_groups=album,single&market=...` lists them."""
    return [
        a
        for g, a in ds.catalog.artist_albums.get(spotify_id, [])
        if g in ("album", "single") and a.sold_in(market)
    ]


def studio_songs(ds: Dataset, spotify_id: str) -> set[str]:
    return {
        t.song
        for a in catalog_releases(ds, spotify_id)
        if not a.live
        for t in a.tracks
        if t.kind in STUDIO_KINDS
    }


def spotify_counts(ds: Dataset, spotify_id: str) -> dict[str, Any]:
    releases = catalog_releases(ds, spotify_id)
    groups = Counter(g for g, a in ds.catalog.artist_albums.get(spotify_id, []) if a.sold_in(MARKET))
    extra_pages = sum(math.ceil((len(a.tracks) - 50) / 50) for a in releases if len(a.tracks) > 50)
    kinds = Counter(t.kind for a in releases for t in a.tracks if not (a.live and t.kind == "live"))
    return {
        "releases": len(releases),
        "releases_without_market": len(catalog_releases(ds, spotify_id, None)),
        "groups": dict(groups),
        "album_pages": math.ceil(len(releases) / 10),
        "albums_over_50_tracks": sum(1 for a in releases if len(a.tracks) > 50),
        "catalog_calls": math.ceil(len(releases) / 10) + len(releases) + extra_pages,
        "tracks": sum(len(a.tracks) for a in releases),
        "studio_songs": len(studio_songs(ds, spotify_id)),
        "live_albums": sum(1 for a in releases if a.live),
        "live_album_tracks": sum(len(a.tracks) for a in releases if a.live),
        "version_tracks": {k: n for k, n in sorted(kinds.items()) if k not in STUDIO_KINDS},
        "remaster_tracks": kinds.get("remaster", 0),
    }


def ticketmaster_counts(ds: Dataset, live: Live, tm_id: str) -> dict[str, Any]:
    events = [e for e in live.events if tm_id in e.attraction_ids]
    known = {r.tm_attraction_id for r in ds.refs}
    dated = [e for e in events if e.local_date is not None]
    upcoming = [e for e in dated if e.local_date >= live.today]  # type: ignore[operator]
    statuses = Counter(e.status for e in events)
    return {
        "events": len(events),
        "upcoming_dated": len(upcoming),
        "tba": len(events) - len(dated),
        "past": len(dated) - len(upcoming),
        "default_query": len(upcoming),  # attractionId alone: dated events from today on, TBA excluded
        "statuses": dict(sorted(statuses.items())),
        "no_specific_time": sum(1 for e in dated if e.local_time is None),
        "no_timezone": sum(1 for e in events if not e.has_tz),
        "multi_artist": sum(1 for e in events if len(set(e.attraction_ids) & known) > 1),
        "venues": len({e.venue.key for e in events}),
        "venues_without_state": len({e.venue.key for e in events if e.venue.state is None}),
    }


def setlistfm_counts(ds: Dataset, live: Live, key: str) -> dict[str, Any]:
    ref = ds.refs_by_key[key]
    setlists = live.setlists_by_mbid.get(ref.mbid, [])
    songs = [s for sl in setlists for part in sl.sets for s in part.songs]
    played = [s for s in songs if not s.tape]
    own = [s for s in played if not s.cover and s.name]
    catalog = studio_songs(ds, ref.spotify_id)
    tm_shows = {(e.local_date, e.venue.key) for e in live.events if ref.tm_attraction_id in e.attraction_ids}
    return {
        "setlists": len(setlists),
        "pages": math.ceil(len(setlists) / 20),
        "empty_setlists": sum(1 for sl in setlists if not sl.sets),
        "songs_played": len(played),
        "tapes": len(songs) - len(played),
        "covers": sum(1 for s in played if s.cover),
        "empty_names": sum(1 for s in played if not s.name),
        "encore_sets": sum(1 for sl in setlists for p in sl.sets if p.encore),
        "distinct_own_songs": len({s.name for s in own}),
        "not_in_catalog": sorted({s.name for s in own} - catalog),
        "venues_unknown_to_tm": len({sl.venue.key for sl in setlists if sl.venue.tm_id is None}),
        "on_tm_event": sum(1 for sl in setlists if (sl.event_date, sl.venue.key) in tm_shows),
    }


def expected(ds: Dataset, key: str, today: date) -> dict[str, Any]:
    ref = ds.refs_by_key[key]
    live = ds.live(today)
    return {
        "ids": ref.as_dict(),
        "spotify": spotify_counts(ds, ref.spotify_id),
        "ticketmaster": ticketmaster_counts(ds, live, ref.tm_attraction_id),
        "setlistfm": setlistfm_counts(ds, live, key),
    }


def validate(ds: Dataset, today: date) -> list[str]:
    """Problems in the bundled data (an empty list when it is consistent)."""
    problems = []
    live = ds.live(today)
    for spec in ds.specs:
        ref = ds.refs_by_key[spec["key"]]
        catalog = studio_songs(ds, ref.spotify_id)
        for album in catalog_releases(ds, ref.spotify_id, None):
            for t in album.tracks:
                if t.kind not in STUDIO_KINDS and t.song not in catalog:
                    problems.append(f"{ref.key}: version {t.name!r} has no studio original")
        unreleased = set(spec["setlistfm"].get("unreleased", []))
        for sl in live.setlists_by_mbid.get(ref.mbid, []):
            for part in sl.sets:
                for s in part.songs:
                    if s.name and not s.tape and not s.cover and s.name not in catalog | unreleased:
                        problems.append(
                            f"{ref.key}: setlist song {s.name!r} is neither in the catalog nor unreleased"
                        )
    return problems


def _kinds(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {n}" for k, n in counts.items()) or "-"


def render_tables(ds: Dataset, today: date) -> str:
    """The generated part of data/README.md (`python -m mysetlist_sandbox.expected`)."""
    rows = {r.key: expected(ds, r.key, today) for r in ds.refs if not r.synthetic}
    links = {s["key"]: s["ticketmaster"].get("links") for s in ds.specs}
    out = [
        "### Ids",
        "",
        "| key | name | Spotify id | TM attraction id | MBID | TM externalLinks |",
        "|---|---|---|---|---|---|",
    ]
    for key, e in rows.items():
        i = e["ids"]
        link = ", ".join(sorted(links[key])) if links[key] else "**none**"
        out.append(
            f"| {key} | {i['name']} | `{i['spotify_id']}` | `{i['tm_attraction_id']}` | `{i['mbid']}` | {link} |"
        )
    out += [
        "",
        "### Spotify (market US, `include_groups=album,single` unless said)",
        "",
        "| key | releases | album pages (limit 10) | without market | appears_on | compilation | tracks | "
        "studio songs | live albums (tracks) | other versions | remaster tracks | albums > 50 tracks | catalog calls |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, e in rows.items():
        s = e["spotify"]
        out.append(
            f"| {key} | {s['releases']} | {s['album_pages']} | {s['releases_without_market']} | "
            f"{s['groups'].get('appears_on', 0)} | {s['groups'].get('compilation', 0)} | {s['tracks']} | "
            f"**{s['studio_songs']}** | {s['live_albums']} ({s['live_album_tracks']}) | {_kinds(s['version_tracks'])} | "
            f"{s['remaster_tracks']} | {s['albums_over_50_tracks']} | {s['catalog_calls']} |"
        )
    out += [
        "",
        "### Ticketmaster (events of the attraction, co-headlined ones included)",
        "",
        "| key | events | upcoming (dated) | TBA | past | statuses | no time | no timezone | with another known artist | venues | venues without state |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, e in rows.items():
        t = e["ticketmaster"]
        out.append(
            f"| {key} | {t['events']} | {t['upcoming_dated']} | {t['tba']} | {t['past']} | {_kinds(t['statuses'])} | "
            f"{t['no_specific_time']} | {t['no_timezone']} | {t['multi_artist']} | {t['venues']} | {t['venues_without_state']} |"
        )
    out += [
        "",
        "### setlist.fm",
        "",
        "| key | setlists | pages | without songs | songs played | tapes | covers | empty names | encore sets | "
        "distinct own songs | played, not in catalog | venues unknown to TM | on a TM event's date and venue |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, e in rows.items():
        f = e["setlistfm"]
        missing = ", ".join(f["not_in_catalog"]) or "-"
        out.append(
            f"| {key} | {f['setlists']} | {f['pages']} | {f['empty_setlists']} | {f['songs_played']} | {f['tapes']} | "
            f"{f['covers']} | {f['empty_names']} | {f['encore_sets']} | {f['distinct_own_songs']} | {missing} | "
            f"{f['venues_unknown_to_tm']} | {f['on_tm_event']} |"
        )
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render_tables(Dataset(), date.today()), end="")
