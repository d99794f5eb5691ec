from __future__ import annotations

import pytest

from mysetlist_pipelines.lib.rules.link_matching import decide_from_links, linked_ids, spotify_id_from_url
from mysetlist_pipelines.lib.rules.match_decisions import Candidate
from mysetlist_pipelines.lib.rules.name_matching import match_by_name

MBID = "a74b1b7f-71a5-4011-9441-d0b5e4122711"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://open.spotify.com/artist/4Z8W4fKeB5YxbusRsdQVPb?si=abc123", "4Z8W4fKeB5YxbusRsdQVPb"),
        ("https://open.spotify.com/artist/4Z8W4fKeB5YxbusRsdQVPb", "4Z8W4fKeB5YxbusRsdQVPb"),
        ("https://open.spotify.com/intl-de/artist/4Z8W4fKeB5YxbusRsdQVPb/", "4Z8W4fKeB5YxbusRsdQVPb"),
        ("spotify:artist:4Z8W4fKeB5YxbusRsdQVPb", "4Z8W4fKeB5YxbusRsdQVPb"),
        ("https://open.spotify.com/album/4Z8W4fKeB5YxbusRsdQVPb", None),
        ("https://open.spotify.com/artist/", None),
        ("", None),
        (None, None),
    ],
)
def test_spotify_id_from_url(url: str | None, expected: str | None) -> None:
    assert spotify_id_from_url(url) == expected


def test_linked_ids_reads_dicts_and_objects_and_ignores_junk() -> None:
    class Link:
        def __init__(self, url: str | None = None, id: str | None = None) -> None:
            self.url, self.id = url, id

    links = {
        "spotify": [Link(url="https://open.spotify.com/artist/4Z8W4fKeB5YxbusRsdQVPb?si=x")],
        "musicbrainz": [{"id": MBID.upper()}, {"id": "not-an-mbid"}],
        "youtube": [{"url": "https://youtube.com/x"}],
    }
    assert linked_ids(links) == ({"4Z8W4fKeB5YxbusRsdQVPb"}, {MBID})
    assert linked_ids(None) == (set(), set())


def test_decide_from_links() -> None:
    taken = decide_from_links("spotify", {"A" * 22}, None)
    assert taken is not None and (taken.external_id, taken.method, taken.status) == (
        "A" * 22,
        "external_link",
        "matched",
    )
    assert decide_from_links("spotify", set(), None) is None
    two = decide_from_links("setlistfm", {"m1", "m2"}, None)
    assert two is not None and two.external_id is None and two.status == "ambiguous"
    # A known id is kept over a link that disagrees, and the disagreement is recorded.
    conflict = decide_from_links("spotify", {"B" * 22}, "A" * 22)
    assert conflict is not None and (conflict.external_id, conflict.status) == ("A" * 22, "conflict")
    same = decide_from_links("spotify", {"A" * 22}, "A" * 22)
    assert same is not None and same.status == "matched" and same.method == "known"


def test_match_by_name_exact_normalized_only() -> None:
    candidates = [
        Candidate("1", "Sigur Rós Tribute"),
        Candidate("2", "sigur ros"),
        Candidate("3", "Sigur"),
    ]
    decision = match_by_name("spotify", "Sigur Rós", candidates)
    assert (decision.external_id, decision.status, decision.method) == ("2", "matched", "name")
    assert (
        match_by_name("spotify", "The Beatles & Friends", [Candidate("b", "Beatles and Friends")]).external_id
        == "b"
    )


def test_first_hit_is_never_taken_blindly() -> None:
    decision = match_by_name(
        "spotify", "Oasis", [Candidate("1", "Oasis Tribute Band"), Candidate("2", "Oasys")]
    )
    assert decision.external_id is None and decision.status == "missing"
    assert "no exact name match" in decision.reason
    assert [c.id for c in decision.candidates] == ["1", "2"]


def test_two_exact_matches_stay_unmatched_unless_disambiguation_fits() -> None:
    twins = [Candidate("m1", "Nirvana", "US grunge band"), Candidate("m2", "Nirvana", "UK psychedelic band")]
    ambiguous = match_by_name("setlistfm", "Nirvana", twins)
    assert ambiguous.external_id is None and ambiguous.status == "ambiguous"
    assert {c.id for c in ambiguous.candidates} == {"m1", "m2"}
    settled = match_by_name("setlistfm", "Nirvana", twins, hints=["grunge", "rock"])
    assert (settled.external_id, settled.status) == ("m1", "matched")
    # A hint both fit does not settle it.
    assert match_by_name("setlistfm", "Nirvana", twins, hints=["band"]).external_id is None


def test_empty_name_matches_nothing() -> None:
    assert match_by_name("spotify", "  ", [Candidate("1", "")]).external_id is None
