"""setlist.fm's answers -> the plain rows the setlist rules work on (lib/rules/setlist_songs.py),
which stay testable without a provider."""

from __future__ import annotations

from ...rules.setlist_records import Setlist, SetlistSet, SetlistSong, SetlistVenue
from . import models


def setlist_row(item: models.Setlist) -> Setlist:
    venue = None
    if item.venue is not None and item.venue.name:
        city = item.venue.city
        coords = city.coords if city else None
        venue = SetlistVenue(
            name=item.venue.name,
            city=city.name if city else None,
            state=(city.state or city.state_code) if city else None,
            country_code=city.country.code if city and city.country else None,
            country=city.country.name if city and city.country else None,
            latitude=coords.lat if coords else None,
            longitude=coords.long if coords else None,
            id=item.venue.id,
        )
    sets = tuple(
        SetlistSet(
            songs=tuple(
                SetlistSong(
                    name=s.name,
                    info=s.info,
                    tape=s.tape,
                    cover_name=s.cover.name if s.cover else None,
                    cover_mbid=s.cover.mbid if s.cover else None,
                    with_name=s.with_.name if s.with_ else None,
                )
                for s in one.song
            ),
            name=one.name,
            encore=one.encore,
        )
        for one in item.sets.set
    )
    return Setlist(
        id=item.id,
        event_date=item.event_date,
        venue=venue,
        sets=sets,
        version_id=item.version_id,
        tour=item.tour.name if item.tour else None,
        url=item.url,
        artist_name=item.artist.name,
    )
