from __future__ import annotations

from datetime import date

import pytest

from mysetlist_pipelines.lib.rules.catalog_records import Release, StoredSong, Track, parse_release_date
from mysetlist_pipelines.lib.rules.studio_songs import dedupe
from mysetlist_pipelines.lib.rules.version_markers import excluded_kind, is_live_release, song_key

ALBUM = Release("alb1", "Definitely Maybe", "album", "1994-08-29", 11)
DELUXE = Release("alb2", "Definitely Maybe (Deluxe Edition)", "album", "2014-05-19", 30)
SINGLE = Release("sgl1", "Live Forever", "single", "1994-08-08", 2)
REMASTER = Release("alb3", "Definitely Maybe (Remastered)", "album", "2014-05-19", 11)


def track(tid: str, name: str, ms: int | None, release: Release, number: int = 1) -> Track:
    return Track(tid, name, ms, release, track_number=number, artist_ids=("oasis",), artist_name="Oasis")


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Song 2 - Live", "live"),
        ("Song 2 - Live at Wembley Stadium", "live"),
        ("Song 2 (Live)", "live"),
        ("Song 2 [Live]", "live"),
        ("Song 2 (Live from Glastonbury)", "live"),
        ("Song 2 - Remix", "remix"),
        ("Song 2 (Moby Remix)", "remix"),
        ("Song 2 - Extended Mix", "remix"),
        ("Song 2 - Radio Edit", "edit"),
        ("Song 2 - Acoustic", "acoustic"),
        ("Song 2 - Demo", "demo"),
        ("Song 2 - Instrumental", "instrumental"),
        ("Song 2 (Karaoke Version)", "karaoke"),
        ("Live Forever", None),
        ("Alive", None),
        ("Oliver", None),
        ("Live", None),
        ("Live Forever - Remastered 2011", None),
        ("Live Forever - 2011 Remaster", None),
        ("Song 2 (feat. Someone)", None),
        ("Song 2 - 2009 Stereo Mix", None),
        ("Part 1 - The Beginning", None),
    ],
)
def test_excluded_kind(title: str, kind: str | None) -> None:
    assert excluded_kind(title) == kind


@pytest.mark.parametrize(
    ("name", "live"),
    [
        ("Live at Knebworth", True),
        ("Familiar to Millions (Live)", True),
        ("MTV Unplugged in New York", True),
        ("Unplugged", True),
        ("Be Here Now - Live", True),
        ("Stop the Clocks Live", True),
        ("Live in Paris 1995", True),
        ("Live Forever", False),
        ("Alive", False),
        ("Oliver's Army", False),
        ("Definitely Maybe", False),
        ("Delivery", False),
    ],
)
def test_is_live_release(name: str, live: bool) -> None:
    assert is_live_release(name) is live


def test_song_key_drops_brackets_and_version_suffixes_only() -> None:
    assert song_key("Live Forever - Remastered 2011") == "live forever"
    assert song_key("Live Forever (2014 Remaster)") == "live forever"
    assert song_key("Cigarettes & Alcohol [Deluxe]") == "cigarettes and alcohol"
    assert song_key("Part 1 - The Beginning") == "part 1 the beginning"


def test_parse_release_date() -> None:
    assert parse_release_date("1994") == date(1994, 1, 1)
    assert parse_release_date("1994-08") == date(1994, 8, 1)
    assert parse_release_date("1994-08-29") == date(1994, 8, 29)
    assert parse_release_date(None) is None and parse_release_date("0000") is None


def test_same_song_on_album_single_deluxe_and_remaster_is_one_song_from_the_album() -> None:
    tracks = [
        track("t-single", "Live Forever", 276_000, SINGLE),
        track("t-deluxe", "Live Forever", 276_500, DELUXE, 5),
        track("t-remaster", "Live Forever - Remastered 2014", 277_900, REMASTER, 5),
        track("t-album", "Live Forever", 276_200, ALBUM, 5),
        track("t-other", "Supersonic", 283_000, ALBUM, 2),
    ]
    songs = dedupe(tracks)
    assert [s.track.id for s in songs] == ["t-other", "t-album"]
    live_forever = songs[1]
    assert live_forever.song_id is None
    assert set(live_forever.merged) == {"t-single", "t-deluxe", "t-remaster"}


def test_same_key_far_apart_in_duration_stays_two_songs_but_same_title_merges() -> None:
    tracks = [
        track("a", "Whatever", 380_000, ALBUM, 1),
        track("b", "Whatever - Single Version", 260_000, SINGLE, 1),
        track("c", "Intro", 60_000, ALBUM, 2),
        track("d", "Intro", 95_000, DELUXE, 1),  # same normalized title: one song, whatever the length
    ]
    ids = {s.track.id for s in dedupe(tracks)}
    assert ids == {"a", "b", "c"}


def test_stored_songs_keep_their_rows() -> None:
    stored = [
        StoredSong("row-1", "Supersonic", "t-other", 283_000, "album", "Definitely Maybe", date(1994, 8, 29)),
        StoredSong("row-2", "Live Forever", "t-single", 276_000, "single", "Live Forever", date(1994, 8, 8)),
        StoredSong("row-3", "Slide Away", None, None, None, None, None),  # created from a setlist
    ]
    tracks = [
        track("t-other", "Supersonic", 283_000, ALBUM, 2),  # already stored as preferred: nothing to do
        track("t-album", "Live Forever", 276_200, ALBUM, 5),  # album beats the stored single
        track("t-slide", "Slide Away", 392_000, ALBUM, 11),  # fills the setlist-created row
        track("t-new", "Columbia", 377_000, ALBUM, 3),
    ]
    by_track = {s.track.id: s for s in dedupe(tracks, stored)}
    assert set(by_track) == {"t-album", "t-slide", "t-new"}
    assert by_track["t-album"].song_id == "row-2"
    assert by_track["t-slide"].song_id == "row-3"
    assert by_track["t-new"].song_id is None
