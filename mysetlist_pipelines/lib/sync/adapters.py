"""The clients' pydantic models -> the plain dataclasses the matching, catalog, shows and setlists
rules work on (those stay testable without a provider)."""

from __future__ import annotations

from ..providers.setlistfm import models as fm
from ..providers.spotify.models import Album, SimplifiedAlbum
from ..providers.ticketmaster import models as tm
from ..rules.setlist_songs import Setlist, SetlistSet, SetlistSong, SetlistVenue
from ..rules.show_rows import TmEvent, TmVenue
from ..rules.studio_songs import Release, Track


def release(album: SimplifiedAlbum) -> Release:
    return Release(
        id=album.id,
        name=album.name,
        album_type=album.album_type.lower(),
        release_date=album.release_date,
        total_tracks=album.total_tracks,
        image_url=album.images[0].url if album.images else None,
    )


def tracks(album: Album) -> list[Track]:
    """Every playable track of a fetched album (local files, which have no id, are left out)."""
    rel = release(album)
    return [
        Track(
            id=t.id,
            name=t.name,
            duration_ms=t.duration_ms or None,
            release=rel,
            track_number=t.track_number,
            disc_number=t.disc_number,
            explicit=t.explicit,
            artist_ids=tuple(a.id for a in t.artists if a.id),
            artist_name=t.artists[0].name if t.artists else "",
            uri=t.uri,
            url=t.external_urls.spotify,
        )
        for t in album.tracks.items
        if t.id and not t.is_local
    ]


def tm_venue(venue: tm.Venue) -> TmVenue:
    location = venue.location
    return TmVenue(
        id=venue.id,
        name=venue.name or "Unknown venue",
        city=venue.city.name if venue.city else None,
        # Some venues carry only `state.stateCode` ("NY"): the code is the state then.
        state=(venue.state.name or venue.state.state_code) if venue.state else None,
        country=venue.country.name if venue.country else None,
        country_code=venue.country.country_code if venue.country else None,
        postal_code=venue.postal_code,
        address=venue.address.line1 if venue.address else None,
        latitude=location.latitude if location else None,
        longitude=location.longitude if location else None,
        timezone=venue.timezone,
    )


def tm_event(event: tm.Event) -> TmEvent:
    start = event.dates.start
    prices = [p for p in event.price_ranges if p.min is not None or p.max is not None]
    mins = [p.min for p in prices if p.min is not None]
    maxes = [p.max for p in prices if p.max is not None]
    return TmEvent(
        id=event.id,
        name=event.name,
        local_date=None if start.date_tba or start.date_tbd else start.local_date,
        venue=tm_venue(event.venue) if event.venue else None,
        attraction_ids=tuple(a.id for a in event.attractions),
        attraction_names=tuple(a.name for a in event.attractions),
        local_time=None if start.no_specific_time or start.time_tba else start.local_time,
        timezone=event.dates.timezone,
        status_code=event.status,
        url=event.url,
        min_price=min(mins) if mins else None,
        max_price=max(maxes) if maxes else None,
        currency=next((p.currency for p in prices if p.currency), None),
    )


def setlist(item: fm.Setlist) -> Setlist:
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
