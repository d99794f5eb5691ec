"""The fewest provider calls that import one sandbox artist, from the sandbox's ground truth.

What the app stores for an artist requested by name, and the cheapest way the APIs allow to get it
(external-apis.md; Spotify in Development Mode, so no batch endpoints):

    Ticketmaster  1 attraction search (the name is all the request gives)
                + max(1, ceil(E / 200)) event pages      E = events from 30 days ago on, TBA included
    Spotify       1 token
                + 1 artist: GET /artists/{id} when the attraction links it (images, genres),
                  else 1 search (its hit carries the same)
                + when the artist is identified: ceil(R / 10) album-list pages
                  + 1 GET /albums/{id} per release holding any studio recording (a release of live
                    recordings only, "Live at ...", "... (Live)", "Unplugged", is known by its name in
                    the list and holds no studio song; any other release may hold a new song)
                  + 1 track page per 50 tracks beyond the first 50 of such a release
                  R = album and single releases in the market
    setlist.fm    0 when the attraction links the MBID, else 1 artist search
                + when the artist is identified: min(5, max(1, ceil(min(S, W + 1) / 20))) pages
                  W = setlists of the last 3 years (5 pages = the depth kept); one more setlist is
                  read to see where the window ends, unless the list ends first (S = all setlists)

An identity the services cannot settle (two Spotify artists with exactly the name) costs its search
and nothing more.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from mysetlist_pipelines.lib.text import normalize_name
from mysetlist_sandbox.dataset import Dataset
from mysetlist_sandbox.expected import catalog_releases

PAST_DAYS = 30
YEARS_BACK = 3
MAX_SETLIST_PAGES = 5


def minimum_calls(ds: Dataset, key: str, today: date) -> dict[str, dict[str, int]]:
    """provider -> {part: calls} for a first import of artist `key` requested by name."""
    ref = ds.refs_by_key[key]
    live = ds.live(today)
    links = live.attractions[ref.tm_attraction_id].links or {}
    wanted = normalize_name(ref.name)

    since = today - timedelta(days=PAST_DAYS)
    events = [
        e
        for e in live.events
        if ref.tm_attraction_id in e.attraction_ids and (e.local_date is None or e.local_date >= since)
    ]
    ticketmaster = {"attraction search": 1, "event pages": max(1, math.ceil(len(events) / 200))}

    spotify = {"token": 1, "artist or search": 1}
    same_name = [a for a in ds.catalog.artists.values() if normalize_name(a.name) == wanted]
    if "spotify" in links or len(same_name) == 1:
        releases = catalog_releases(ds, ref.spotify_id)
        studio = [a for a in releases if not (a.live or all(t.kind == "live" for t in a.tracks))]
        spotify["album-list pages"] = math.ceil(len(releases) / 10)
        spotify["albums (not live)"] = len(studio)
        spotify["extra track pages"] = sum(
            math.ceil((len(a.tracks) - 50) / 50) for a in studio if len(a.tracks) > 50
        )

    setlistfm: dict[str, int] = {}
    fm_same_name = [a for a in live.fm_artists.values() if normalize_name(a.name) == wanted]
    if "musicbrainz" not in links:
        setlistfm["artist search"] = 1
    if "musicbrainz" in links or len(fm_same_name) == 1:
        setlists = live.setlists_by_mbid.get(ref.mbid, [])
        window = [s for s in setlists if s.event_date >= today - timedelta(days=365 * YEARS_BACK)]
        read = min(len(setlists), len(window) + 1)
        setlistfm["setlist pages"] = min(MAX_SETLIST_PAGES, max(1, math.ceil(read / 20)))
    return {"spotify": spotify, "ticketmaster": ticketmaster, "setlistfm": setlistfm}


def total(parts: dict[str, dict[str, int]]) -> int:
    return sum(sum(p.values()) for p in parts.values())
