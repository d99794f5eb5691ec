"""Spotify's JSON shapes as Development Mode returns them (no popularity, followers, album_group,
label or available_markets; ISRCs only on full tracks) and its paging with absolute links."""

from __future__ import annotations

from ..context import Ctx
from ..http import query_string, with_params
from .catalog import Album, SpotifyArtist, Track


# -- shapes -------------------------------------------------------------------------------------
def _artist_ref(ctx: Ctx, artist_id: str) -> dict[str, object]:
    artist = ctx.ds.catalog.artists.get(artist_id)
    return {
        "external_urls": {"spotify": f"https://open.spotify.com/artist/{artist_id}"},
        "href": f"{ctx.req.base}/v1/artists/{artist_id}",
        "id": artist_id,
        "name": artist.name if artist else "",
        "type": "artist",
        "uri": f"spotify:artist:{artist_id}",
    }


def _images(seed: str, sizes: tuple[int, ...]) -> list[dict[str, object]]:
    return [
        {"url": f"https://i.scdn.co/image/ab67616d0000{s:04x}{seed[:20]}", "height": s, "width": s}
        for s in sizes
    ]


def artist_json(ctx: Ctx, artist: SpotifyArtist) -> dict[str, object]:
    # Development Mode: no popularity, no followers.
    return {
        **_artist_ref(ctx, artist.id),
        "genres": list(artist.genres),
        "images": _images(artist.id, (640, 320, 160)) if artist.albums else [],
    }


def album_simple(ctx: Ctx, album: Album) -> dict[str, object]:
    return {
        "album_type": album.album_type,
        "total_tracks": len(album.tracks),
        "external_urls": {"spotify": f"https://open.spotify.com/album/{album.id}"},
        "href": f"{ctx.req.base}/v1/albums/{album.id}",
        "id": album.id,
        "images": _images(album.id, (640, 300, 64)),
        "name": album.name,
        "release_date": album.release_date,
        "release_date_precision": album.precision,
        "type": "album",
        "uri": f"spotify:album:{album.id}",
        "artists": [_artist_ref(ctx, a) for a in album.artist_ids],
    }


def track_simple(ctx: Ctx, track: Track, market: str | None) -> dict[str, object]:
    shape: dict[str, object] = {
        "artists": [_artist_ref(ctx, a) for a in track.artist_ids],
        "disc_number": track.disc_number,
        "duration_ms": track.duration_ms,
        "explicit": track.explicit,
        "external_urls": {"spotify": f"https://open.spotify.com/track/{track.id}"},
        "href": f"{ctx.req.base}/v1/tracks/{track.id}",
        "id": track.id,
        "is_local": False,
        "name": track.name,
        "preview_url": None,
        "track_number": track.track_number,
        "type": "track",
        "uri": f"spotify:track:{track.id}",
    }
    if market is not None:
        shape["is_playable"] = ctx.ds.catalog.albums[track.album_id].sold_in(market)
    return shape


def paging(
    ctx: Ctx, path: str, items: list[object], total: int, offset: int, limit: int
) -> dict[str, object]:
    def url(at: int) -> str:
        params = with_params(ctx.req.query, {"offset", "limit"}, [])
        return f"{ctx.req.base}{path}?{query_string([('offset', str(at)), ('limit', str(limit)), *params])}"

    return {
        "href": url(offset),
        "items": items,
        "limit": limit,
        "next": url(offset + limit) if offset + limit < total else None,
        "offset": offset,
        "previous": url(max(0, offset - limit)) if offset > 0 else None,
        "total": total,
    }
