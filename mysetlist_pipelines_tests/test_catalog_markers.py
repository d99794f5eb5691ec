"""Localized version markers (lib/catalog_markers.json): real catalog titles per language.

The titles are real Spotify/record-label catalog titles (artist in the comment); the studio songs that
merely contain a marker word must stay studio songs."""

from __future__ import annotations

import pytest

from mysetlist_pipelines.lib.catalog import excluded_kind, is_remaster, song_key

VERSIONS = [
    # German
    ("Ohne dich - Akustik Version", "acoustic"),  # Rammstein-style single titling; real DE catalog form
    ("Tage wie diese - Akustik Version", "acoustic"),  # Die Toten Hosen
    ("Auf uns (Akustik Version)", "acoustic"),  # Andreas Bourani
    # Spanish
    ("Vivir Mi Vida - Versión Acústica", "acoustic"),  # Marc Anthony
    ("Labios Compartidos - En Vivo", "live"),  # Maná
    ("Rayando el Sol (En Directo)", "live"),  # Maná
    ("Corazón Espinado - Remezcla", "remix"),
    # Portuguese
    ("Evidências - Ao Vivo", "live"),  # Chitãozinho & Xororó
    ("Trem-Bala - Versão Acústica", "acoustic"),  # Ana Vilela
    # French
    ("Dernière danse - Version Acoustique", "acoustic"),  # Indila
    ("Alors on danse - Version Radio", "edit"),  # Stromae
    ("La Bohème (En Concert)", "live"),  # Charles Aznavour
    ("Papaoutai - Version Instrumentale", "instrumental"),
    # Italian
    ("Vivo per lei - Versione Acustica", "acoustic"),  # Andrea Bocelli
    ("Albachiara - Dal Vivo", "live"),  # Vasco Rossi
    # Dutch
    ("Zij Gelooft In Mij - Akoestische Versie", "acoustic"),  # André Hazes
    # Swedish
    ("Dancing On My Own - Akustisk Version", "acoustic"),  # Robyn
    # Polish
    ("Jolka, Jolka pamiętasz - Wersja Akustyczna", "acoustic"),  # Budka Suflera
    ("Przeżyj to sam - Na Żywo", "live"),  # Lombard
    # Japanese
    ("紅蓮華 (アコースティック)", "acoustic"),  # LiSA
    ("Pretender - ライブ", "live"),  # Official髭男dism
    ("夜に駆ける (インストゥルメンタル)", "instrumental"),  # YOASOBI
    ("残酷な天使のテーゼ (オリジナル・カラオケ)", "karaoke"),  # Yoko Takahashi
]

STUDIO = [
    "Vivo por ella",  # Andrea Bocelli & Marta Sánchez
    "Live Forever",  # Oasis
    "Akustik",  # a plain title
    "Ao Vivo e a Cores",  # Matheus & Kauan (title, no suffix)
    "En Concert",  # a plain title
    "Acústico",  # a plain title
    "ライブ",  # a plain title
    "Viva la Vida",  # Coldplay
]


@pytest.mark.parametrize(("title", "kind"), VERSIONS)
def test_localized_version_suffixes_are_not_studio_songs(title: str, kind: str) -> None:
    assert excluded_kind(title) == kind


@pytest.mark.parametrize("title", STUDIO)
def test_studio_songs_that_merely_contain_a_marker_word_stay(title: str) -> None:
    assert excluded_kind(title) is None


@pytest.mark.parametrize(
    ("title", "plain"),
    [
        ("De Música Ligera - Remasterizado 2007", "De Música Ligera"),  # Soda Stereo
        ("Garota de Ipanema - Remasterizado", "Garota de Ipanema"),
        ("La Bohème - Version remasterisée", "La Bohème"),
        ("Azzurro - Rimasterizzato", "Azzurro"),  # Adriano Celentano
        ("Tokyo Flash (リマスター)", "Tokyo Flash"),  # Vaundy-style JP remaster tag
    ],
)
def test_localized_remasters_are_kept_and_merge_with_the_studio_song(title: str, plain: str) -> None:
    assert excluded_kind(title) is None
    assert is_remaster(title)
    assert song_key(title) == song_key(plain)
