from __future__ import annotations

from datetime import date

import pytest

from mysetlist_pipelines.lib.rules.encores import named_encore
from mysetlist_pipelines.lib.rules.predictions import (
    DEFAULT_PREDICTED_SIZE,
    History,
    predict,
    predicted_size,
    rank_songs,
)
from mysetlist_pipelines.lib.rules.setlist_records import (
    Setlist,
    SetlistSet,
    SetlistSong,
    SetlistVenue,
    ShowCandidate,
    parse_event_date,
)
from mysetlist_pipelines.lib.rules.setlist_songs import SongIndex, played_songs
from mysetlist_pipelines.lib.rules.show_matching import match_show

VENUE = SetlistVenue("Wembley Stadium", city="London", country_code="GB")


def setlist(
    sets: tuple[SetlistSet, ...] = (), *, on: date = date(2025, 6, 1), sid: str = "3bd6", venue=VENUE
) -> Setlist:
    return Setlist(sid, on, venue, sets)


def test_parse_event_date() -> None:
    assert parse_event_date("23-08-2025") == date(2025, 8, 23)


def test_played_songs_in_order_across_sets_and_encores_without_tape() -> None:
    sets = (
        SetlistSet(
            (SetlistSong("Intro", tape=True), SetlistSong("Rocks"), SetlistSong("Columbia", info="extended"))
        ),
        SetlistSet((SetlistSong("Heroes", cover_name="David Bowie", cover_mbid="mb-bowie"), SetlistSong(""))),
        SetlistSet((SetlistSong("Wonderwall"),), encore=1),
        SetlistSet(
            (SetlistSong("Champagne Supernova", with_name="Paul Weller"), SetlistSong("Outro", tape=True)),
            encore=2,
        ),
    )
    played = played_songs(setlist(sets))
    assert [(s.position, s.name) for s in played.songs] == [
        (1, "Rocks"),
        (2, "Columbia"),
        (3, "Heroes"),
        (4, "Wonderwall"),
        (5, "Champagne Supernova"),
    ]
    notes = {s.name: s.notes for s in played.songs}
    assert notes == {
        "Rocks": None,
        "Columbia": "extended",
        "Heroes": "cover (David Bowie)",
        "Wonderwall": "encore",
        "Champagne Supernova": "encore 2; with Paul Weller",
    }
    heroes = played.songs[2]
    assert heroes.is_cover and heroes.cover_artist == "David Bowie" and heroes.cover_mbid == "mb-bowie"
    assert dict(played.skipped) == {"tape": 2, "empty name": 1}


def test_setlist_without_songs() -> None:
    played = played_songs(setlist(()))
    assert played.songs == () and dict(played.skipped) == {}


def test_match_show_by_date_then_venue_or_city() -> None:
    shows = [
        ShowCandidate("other-day", date(2025, 6, 2), "Wembley Stadium", "London"),
        ShowCandidate("city-only", date(2025, 6, 1), "The O2", "London"),
        ShowCandidate("venue", date(2025, 6, 1), "Wembley  Stadium", "London "),
    ]
    assert (found := match_show(setlist(), shows)) is not None and found.id == "venue"
    assert (found := match_show(setlist(), shows[:2])) is not None and found.id == "city-only"
    assert match_show(setlist(on=date(2025, 6, 3)), shows) is None
    elsewhere = SetlistVenue("Olympiastadion", city="Berlin")
    assert match_show(setlist(venue=elsewhere), shows) is None


def test_two_shows_on_one_date_keep_their_own_setlists() -> None:
    shows = [
        ShowCandidate("early", date(2025, 6, 1), "Wembley Stadium", "London", setlistfm_id="first"),
        ShowCandidate("late", date(2025, 6, 1), "Wembley Stadium", "London"),
    ]
    assert (found := match_show(setlist(sid="first"), shows)) is not None and found.id == "early"
    assert (found := match_show(setlist(sid="second"), shows)) is not None and found.id == "late"
    assert match_show(setlist(sid="third"), shows[:1]) is None


def test_song_index_matches_titles_and_versions() -> None:
    index = SongIndex([("s1", "Live Forever - Remastered"), ("s2", "Don't Look Back in Anger")])
    assert index.find("live forever") == "s1"
    assert index.find("Dont Look Back In Anger") == "s2"
    assert index.find("Wonderwall") is None


def test_ranking_by_frequency_and_recency_then_catalog() -> None:
    today = date(2026, 1, 1)
    history = [
        History(date(2025, 12, 1), ("a", "b", "c")),
        History(date(2025, 12, 10), ("a", "c", "d")),
        History(date(2020, 1, 1), ("b", "e")),  # old: counts little
    ]
    catalog = ["z", "e", "d", "c", "b", "a"]
    ranked = rank_songs(history, catalog, today)
    # a and c: played twice recently; c ties a on score and recency, so catalog order decides (c first).
    assert ranked[:2] == ["c", "a"]
    assert ranked[2:5] == ["d", "b", "e"]
    assert ranked[5:] == ["z"]


def test_prediction_without_history_falls_back_to_catalog_order() -> None:
    catalog = [f"s{i}" for i in range(30)]
    assert predict([], catalog, date(2026, 1, 1)) == catalog[:DEFAULT_PREDICTED_SIZE]
    assert predict([], ["a", "b"], date(2026, 1, 1)) == ["a", "b"]
    assert predict([], [], date(2026, 1, 1)) == []


def test_predicted_size_is_the_median_setlist_length() -> None:
    history = [
        History(date(2025, 1, d), tuple(str(i) for i in range(n))) for d, n in ((1, 10), (2, 14), (3, 18))
    ]
    assert predicted_size(history, 100) == 14
    assert len(predict(history, [str(i) for i in range(40)], date(2025, 2, 1))) == 14


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("Encore", 0),  # Phish 2025 (realdata): named, no `encore` number
        ("Encore:", 0),
        ("encore 2", 2),
        ("Encore #3", 3),
        ("Second Encore", 2),
        ("Zugabe", 0),
        ("Zugabe 2:", 2),
        ("Bis", 0),
        ("Rappel :", 0),
        ("Toegift", 0),
        ("Extranummer", 0),
        ("アンコール", 0),
        # Sets that are not encores (real names from the recorded answers), and near misses.
        ("Set 1:", None),
        ("Intermission", None),
        ("Just Enough Education to Perform", None),
        ("End of the runway", None),
        ("Encore of the Night Tour", None),
        ("Bissau", None),
        (None, None),
        ("", None),
    ],
)
def test_named_encores(name: str | None, number: int | None) -> None:
    assert named_encore(name) == number


def test_a_set_named_encore_without_a_number_is_an_encore_after_the_last_one() -> None:
    sets = (
        SetlistSet((SetlistSong("Tweezer"),), name="Set 1:"),
        SetlistSet((SetlistSong("Harry Hood"),), name="Encore:"),
        SetlistSet((SetlistSong("Loving Cup"),), name="Encore"),
        SetlistSet((SetlistSong("Zugabe-Song"),), name="Zugabe", encore=None),
        SetlistSet((SetlistSong("Numbered"),), name="Encore", encore=5),
    )
    notes = {s.name: s.notes for s in played_songs(setlist(sets)).songs}
    assert notes == {
        "Tweezer": None,
        "Harry Hood": "encore",
        "Loving Cup": "encore 2",
        "Zugabe-Song": "encore 3",
        "Numbered": "encore 5",  # setlist.fm's own number wins over the name
    }
