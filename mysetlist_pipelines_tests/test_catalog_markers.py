"""Localized version markers (lib/rules/catalog_markers.json) against real catalog titles.

Every title below was found in a named public source (SOURCES: a recorded provider answer in a public
repository, with its commit, or a public catalog page, with its address); none is made up. Which marker
of the vocabulary each title shows, and which markers no real title shows yet: catalog_markers_sources.md
beside this file. The studio titles are real songs and albums that merely contain a marker word or a
bracket that is not a version.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mysetlist_pipelines.lib.rules.version_markers import (
    excluded_kind,
    is_live_release,
    is_remaster,
    song_key,
)

SOURCES = {
    "worldfm": "github.com/analog-aardvarks/worldFM src/public/app/config/samplePlaylist.js at ad628194392c"
    " (2017-05-20): a recorded Spotify playlist-tracks answer (thesoundsofspotify, Mexican rock)",
    "amor": "github.com/jeff-campos/001_spotify_webapp __mocks__/searchRequest.js at f9f57cf1fe0d"
    " (2020-04-15): a recorded Spotify GET /search?query=amor&type=album answer (Brazilian releases)",
    "musikwunsch": "github.com/technikboy04/musikwunsch_Website musikwunschWebsite/src/app/test.js at"
    " 74d3c93b037d (2022-06-19): a recorded Spotify track-search answer",
    "deezer": "github.com/browniebroke/deezer-python tests/asyncio/cassettes/*.yaml at f6672de2fdfd:"
    " VCR cassettes of the Deezer API (TestAsyncPlaylist.test_attributes, TestAsyncClient.test_search_*,"
    " TestAsyncArtist.test_get_radio / test_get_albums)",
    "realdata": "../shared/realdata/spotify/album-tracks-69-love-songs-offset50-2017.json (SOURCES.md there)",
    "chefket": "http://juice.de/chefket-nachtmensch-akustik-version/",
    "blof": "https://www.evilnickname.org/weblog/2009/02/10/listen-closely/",
    "bersani": "https://artikeldigital.com/it/La_fortuna_che_abbiamo_(Live)",
    "motta": "https://www.allmusicitalia.it/news/motta-dal-vivo-album.html",
    "dalessio": "https://nuovecanzoni.com/ora-dal-vivo-nuovo-disco-di-gigi-dalessio-tracce-e-copertina-del-doppio-cd/33590",
    "dalla": "https://music.apple.com/it/album/dallamericaruso-live/254155776",
    "stivell": "https://franco.wiki/fr/%C3%80_l'Olympia_(album_d'Alan_Stivell).html",
    "sanson": "https://franco.wiki/fr/%C3%80_l'Olympia_89.html",
    "becaud": "https://sagapedia.com/fr/L%27Olympia_97",
    "almqvist": "https://www.deliberatemusic.se/releases-3/andi-almqvist-live-in-malmo/",
    "nationalteatern": "http://www.nationalteatern.se/skivor_nt_live_06.html",
    "svenska": "http://beckiesgarage.blogg.se/2010/september/i-landet-lagom-ar-bast-vi-skalar-for-en-mids.html",
    "zaucha": "https://mlwz.pl/newsy/23935-obecny-tribute-to-andrzej-zaucha-edycja-specjalna",
    "kaczmarski": "https://beatgogo.se/albums/kosmopolak-jacek-kaczmarski-63177",
    "ladypank": "https://m.datapremiery.pl/lady-pank-mtv-unplugged-premiera-plyty-42175",
    "klich": "https://axunarts.pl/2013/01/07/podsumowanie-2012-roku-10-najlepszych-albumow-koncertowych/",
    "abc": "https://ariachizuru.com/abc-1st-livealbum-1874",
    "juju": "https://ja-wiki.pages.dev/wiki/%E5%A5%8F/LA%E3%83%BBLA%E3%83%BBLA_LOVE_SONG",
    "muse": "https://wpedia.goo.ne.jp/wiki/%E5%83%95%E3%82%89%E3%81%AELIVE_%E5%90%9B%E3%81%A8%E3%81%AELIFE",
    "nagabuchi": "https://note.com/yamadatomtom/n/na9cd7902ffb0",
}

# (title, kind, language, source)
VERSIONS = [
    ("Nachtmensch (Akustik Version)", "acoustic", "de", "chefket"),  # Chefket
    ("Arréglame el Alma - En Vivo", "live", "es", "worldfm"),
    ("El Rey Azul - En Vivo Los Estudios Churubusco México DF/2011", "live", "es", "worldfm"),
    ("La Vida Caminaba Sola - En Vivo Desde Auditorio Nacional, Mexico/2007", "live", "es", "worldfm"),
    ("Acústico - Ao Vivo", "live", "pt", "amor"),
    ("Eduardo Costa - Acustico", "acoustic", "pt", "amor"),  # unaccented: the catalog's own spelling
    ("Amor de Que (Brega Funk Remix)", "remix", "pt", "amor"),  # Pabllo Vittar
    ("Spaccacuore (Live) (feat. Orchestra Sinfonica dei Pomeriggi Musicali)", "live", "it", "bersani"),
    ("Prima O Poi (live)", "live", "it", "dalessio"),  # Gigi D'Alessio
    ("Alles is liefde (akoestisch)", "acoustic", "nl", "blof"),  # BLØF
    ("W złotych kroplach deszczu (Live)", "live", "pl", "zaucha"),  # Kuba Badach
    ("Czarny Ali Baba (Live)", "live", "pl", "zaucha"),
    ("冬の幻 ~Acoustic version~", "acoustic", "ja", "abc"),  # Acid Black Cherry: tilde-wrapped
    ("奏 (かなで) -Instrumental-", "instrumental", "ja", "juju"),  # JUJU: dash-wrapped
    ("LA・LA・LA LOVE SONG -Instrumental-", "instrumental", "ja", "juju"),
    ("Shut Up and Dance - Live Acoustic - 2015", "live", "en", "musikwunsch"),  # WALK THE MOON
    ("Shut Up And Dance (Acoustic)", "acoustic", "en", "musikwunsch"),
]

# (title, language, source): studio songs and albums that merely look like versions.
STUDIO = [
    ("Nachtmensch", "de", "chefket"),
    ("Viviendo de Noche", "es", "worldfm"),
    ("Viviendo Del Futuro", "es", "worldfm"),
    ("No Huyas de Mi (Roto el Corazón)", "es", "worldfm"),
    ("Camino a Encontrarte (Edición Especial)", "es", "worldfm"),
    ("Amor de Que", "pt", "amor"),
    ("Amores e Vícios", "pt", "amor"),
    ("Places (Edition Deluxe)", "fr", "deezer"),  # Lou Doillon
    ("Vivi", "it", "dalessio"),
    ("Vivere O Morire", "it", "motta"),
    ("Mannen i den vita hatten (16 år senare)", "sv", "svenska"),  # Kent
    ("Här kommer alla känslorna (på en och samma gång)", "sv", "svenska"),  # Per Gessle
    ("Mury '87 (Podwórko)", "pl", "kaczmarski"),
    ("Dzień Gniewu (Czarnobyl)", "pl", "kaczmarski"),
    ("僕らのLIVE 君とのLIFE", "ja", "muse"),  # μ's: "LIVE" inside the title
    ("奏 (かなで)", "ja", "juju"),  # a reading in brackets, not a version
    ("~until~", "ja", "abc"),  # wrapped whole: a title, not a suffix
    ("Live With Me", "en", "deezer"),
    ("Acoustic Guitar", "en", "realdata"),  # The Magnetic Fields
]

# (release name, language, source): live albums, skipped without fetching their tracks.
LIVE_RELEASES = [
    ("XX Años (En Vivo)", "es", "worldfm"),
    ("Acústico En Vivo", "es", "worldfm"),
    ("Retro/En Vivo (En Vivo Desde Auditorio Nacional, Mexico/2007)", "es", "worldfm"),
    ("MTV Unplugged Música De Fondo (Standard Version)", "es", "worldfm"),
    ("Amor Atual (Ao Vivo)", "pt", "amor"),  # Henrique & Juliano
    ("Cumpra-se - EP3 (Ao Vivo)", "pt", "amor"),
    ("Fã de Carteirinha Sunset (Ao Vivo)", "pt", "amor"),
    ("Esquece o Mundo Lá Fora (Ao Vivo) - Deluxe", "pt", "amor"),
    ("Amor Festa Devoção Ao Vivo", "pt", "amor"),  # Maria Bethânia
    ("Acústico - Ao Vivo", "pt", "amor"),
    ("Live In London - At The Royal Albert Hall", "pt", "amor"),
    ("La fortuna che abbiamo (Live)", "it", "bersani"),  # Samuele Bersani
    ("Motta dal Vivo", "it", "motta"),
    ("Ora Dal Vivo", "it", "dalessio"),
    ("Dallamericaruso (Live)", "it", "dalla"),  # Lucio Dalla
    ("À l'Olympia", "fr", "stivell"),  # Alan Stivell
    ("À l'Olympia 89", "fr", "sanson"),  # Véronique Sanson
    ("L'Olympia 97", "fr", "becaud"),  # Gilbert Bécaud
    ("Live in Malmö", "sv", "almqvist"),  # Andi Almqvist
    ("Nationalteatern rockorkester LIVE 2006", "sv", "nationalteatern"),
    ("Chicago Live \u201983", "pl", "kaczmarski"),  # Jacek Kaczmarski: a typographic apostrophe
    ("MTV Unplugged", "pl", "ladypank"),  # Lady Pank
    ("Zaduszki Dżemowe Wojtka Klicha Live", "pl", "klich"),
    ("Acid Black Cherry TOUR『2012』LIVE CD", "ja", "abc"),
    ("LIVE", "ja", "nagabuchi"),  # 長渕剛
]

# (release name, source): studio albums (or ones the name cannot tell), kept.
STUDIO_RELEASES = [
    ("Amor Perfeito", "amor"),
    ("Amores e Vícios", "amor"),
    ("Camino a Encontrarte (Edición Especial)", "worldfm"),
    ("Places (Edition Deluxe)", "deezer"),
    ("μ's Best Album Best Live! collection", "muse"),  # a best-of: "Live!" inside the name
    ("Amor Bandido", "amor"),
]

REMASTERS = [
    ("Space Oddity (1999 Remastered Version)", "Space Oddity", "deezer"),  # David Bowie
    ("Avalon (Remastered)", "Avalon", "deezer"),  # Roxy Music
]

LANGUAGES = {"de", "es", "pt", "fr", "it", "nl", "sv", "pl", "ja"}


@pytest.mark.parametrize(("title", "kind", "lang", "source"), VERSIONS)
def test_localized_versions_are_not_studio_songs(title: str, kind: str, lang: str, source: str) -> None:
    assert excluded_kind(title) == kind
    assert not is_remaster(title)


@pytest.mark.parametrize(("title", "lang", "source"), STUDIO)
def test_studio_titles_that_merely_look_like_versions_stay(title: str, lang: str, source: str) -> None:
    assert excluded_kind(title) is None


@pytest.mark.parametrize(("name", "lang", "source"), LIVE_RELEASES)
def test_localized_live_albums_are_skipped_like_english_ones(name: str, lang: str, source: str) -> None:
    assert is_live_release(name)


@pytest.mark.parametrize(("name", "source"), STUDIO_RELEASES)
def test_studio_albums_that_merely_contain_a_live_word_are_kept(name: str, source: str) -> None:
    assert not is_live_release(name)


@pytest.mark.parametrize(("title", "plain", "source"), REMASTERS)
def test_remasters_are_kept_and_merge_with_the_studio_song(title: str, plain: str, source: str) -> None:
    assert excluded_kind(title) is None and is_remaster(title)
    assert song_key(title) == song_key(plain)


def test_a_wrapped_version_merges_with_its_studio_song_key() -> None:
    # The dedupe key drops Japanese wrapped versions as it drops " - Live": same song, same key.
    assert song_key("冬の幻 ~Acoustic version~") == song_key("冬の幻")
    assert song_key("~until~") == "until"  # a whole-title wrap is the title


def test_every_language_and_source_is_covered_and_named() -> None:
    rows = [*VERSIONS, *STUDIO, *LIVE_RELEASES]
    assert {r[-2] for r in rows} >= LANGUAGES
    used = {r[-1] for r in [*rows, *STUDIO_RELEASES, *REMASTERS]}
    assert used == set(SOURCES), "a source without a title, or a title without a source"
    readme = (Path(__file__).with_name("catalog_markers_sources.md")).read_text(encoding="utf-8")
    assert all(key in readme for key in SOURCES), "catalog_markers_sources.md names every source"
