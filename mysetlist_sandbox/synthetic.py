"""`synthetic_artists=N`: N generated artists for fleet benchmarks, in the same spec format as the data files.

Every synthetic artist has the same shape, so per-artist costs and counts are known in advance:
- Spotify: 2 albums of 10 songs, a single with the first song plus its radio edit, and a non-album
  single: 4 releases (1 album page), 23 tracks, 21 studio songs, catalog cost 1 + 4 = 5 calls.
- Ticketmaster: all links; 3 upcoming events and 1 past one (4 events, 1 page).
- setlist.fm: 4 past setlists (1 page): one at the past event's venue and date, a tape intro on the
  first, an encore on two of them; 20 songs played, 1 tape.
"""

from __future__ import annotations

from typing import Any

from . import ids

SHAPE = {
    "releases": 4,
    "tracks": 23,
    "studio_songs": 21,
    "events": 4,
    "upcoming_events": 3,
    "past_events": 1,
    "setlists": 4,
    "setlist_songs": 20,
    "tapes": 1,
}

_US_VENUES = ("msg", "td-garden", "united-center", "red-rocks", "chase-center", "ryman", "showbox", "stubbs")
_EU_VENUES = ("brixton", "columbiahalle", "paradiso", "olympia", "vega", "3arena")


def synthetic_key(i: int) -> str:
    return f"synthetic-{i:04d}"


def synthetic_spec(i: int) -> dict[str, Any]:
    key, name = synthetic_key(i), f"Synthetic Artist {i:04d}"
    songs = [f"Synth {i:04d} Song {j:02d}" for j in range(1, 22)]
    us, eu = _US_VENUES[i % len(_US_VENUES)], _EU_VENUES[i % len(_EU_VENUES)]
    past_venue = _US_VENUES[(i + 3) % len(_US_VENUES)]
    offset = i % 20
    return {
        "key": key,
        "name": name,
        "ids": {
            "spotify": ids.spotify_id(f"artist:{key}"),
            "ticketmaster": ids.tm_attraction_id(key),
            "mbid": ids.mbid(key),
        },
        "synthetic": True,
        "spotify": {
            "genres": ["synthetic pop"],
            "releases": [
                {"name": f"Synthetic {i:04d} I", "type": "album", "date": "2019-04-05", "tracks": songs[:10]},
                {
                    "name": f"Synthetic {i:04d} II",
                    "type": "album",
                    "date": "2022-09-30",
                    "tracks": songs[10:20],
                },
                {
                    "name": songs[0],
                    "type": "single",
                    "date": "2019-02-01",
                    "tracks": [songs[0], f"{songs[0]}| - Radio Edit"],
                },
                {"name": songs[20], "type": "single", "date": "2023-06-16", "tracks": [songs[20]]},
            ],
        },
        "ticketmaster": {
            "genre": "Pop",
            "links": {"spotify": "", "musicbrainz": True},
            "events": [
                {"day": 7 + offset, "time": "20:00", "venue": us, "name": name},
                {"day": 21 + offset, "time": "19:30", "venue": eu, "name": name},
                {"day": 40 + offset, "time": None, "venue": us, "name": name},
                {"day": -10 - offset, "time": "20:00", "venue": past_venue, "name": name},
            ],
        },
        "setlistfm": {
            "sort_name": name,
            "disambiguation": "",
            "setlists": [
                {
                    "day": -10 - offset,
                    "venue": past_venue,
                    "sets": [["Intro|tape", *songs[0:6]], {"encore": 1, "songs": songs[6:8]}],
                },
                {"day": -30 - offset, "venue": us, "sets": [songs[2:8]]},
                {
                    "day": -50 - offset,
                    "venue": eu,
                    "sets": [songs[10:13], {"encore": 1, "songs": [songs[20]]}],
                },
                {"day": -70 - offset, "venue": us, "sets": [songs[13:15]]},
            ],
        },
    }
