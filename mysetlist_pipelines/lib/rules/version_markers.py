"""Which titles say "not the studio song": the version markers of releases and tracks, in English and
in the languages of `catalog_markers.json`, and the de-duplication key a title reduces to.

Apart from the de-duplication (studio_songs.py) because it reads one title at a time and is where a new
marker or language goes. Rules (external-apis.md):
- releases: live albums ("Live at ...", "(Live)", "Unplugged", "... Live", "Chicago Live '83") are
  skipped whole, without fetching their tracks, and so are live albums named in other languages
  ("Amor Atual (Ao Vivo)", "XX Años (En Vivo)", "Motta dal Vivo", "À l'Olympia 89": the `live` markers
  of catalog_markers.json, last, opening a bracket or after a dash);
- other languages: the markers in `catalog_markers.json` (German, Spanish, Portuguese, French, Italian,
  Dutch, Swedish, Polish, Japanese: "Akustik Version", "En Vivo", "Ao Vivo", "Na Żywo", "ライブ", ...)
  count the same way, as a suffix only ("Vivo por ella" stays); a localized remaster ("Remasterizado")
  is a remaster: kept and merged;
- tracks: a version suffix (" - Live", "(Live from ...)", " - Radio Edit", "(... Remix)", " - Acoustic",
  " - Demo", " - Instrumental", "(Karaoke Version)", and Japanese " -Instrumental-" / " ~Acoustic version~")
  marks a non-studio song; only suffixes count, so
  "Alive", "Live Forever" and "Oliver" stay. A remaster is the studio song again: kept, and merged.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from ..text import normalize_name

_BRACKETS = re.compile(r"[\(\[\{]([^\)\]\}]*)[\)\]\}]")
_DASH_SUFFIX = re.compile(r"\s+[-\u2013\u2014]\s+(.+)$")
# Japanese catalogs wrap the version in dashes or tildes: "奏 (かなで) -Instrumental-",
# "冬の幻 ~Acoustic version~" (full-width and wave-dash forms too).
_WRAPPED_SUFFIX = re.compile(r"\s[-~\u301c\uff5e]\s?([^-~\u301c\uff5e]+?)\s?[-~\u301c\uff5e]\s*$")
_EXCLUDED_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("live", re.compile(r"^live\b|\blive\s+(at|from|in|on|version|session|recording)\b|\blive$", re.I)),
    # "Mono Mix"/"Stereo Mix" are remaster-like; only remix-style mixes are excluded.
    ("remix", re.compile(r"\bre-?mix(ed)?\b|\brmx\b|\b(club|extended|dub|dance|vip|radio)\s+mix\b", re.I)),
    ("edit", re.compile(r"\bedit\b", re.I)),
    ("acoustic", re.compile(r"\bacoustic\b", re.I)),
    ("demo", re.compile(r"\bdemo\b", re.I)),
    ("instrumental", re.compile(r"\binstrumental\b", re.I)),
    ("karaoke", re.compile(r"\bkaraoke\b", re.I)),
)
_REMASTER = re.compile(r"\bre-?master(ed)?\b", re.I)
# Words that make a " - ..." suffix a version marker rather than part of the title ("Part 1 - Intro").
_VERSION_WORDS = re.compile(
    r"\b(re-?master(ed)?|version|mono|stereo|mix|edit|live|single|album|bonus|deluxe|feat\.?|ft\.?"
    r"|with|from|anniversary|acoustic|demo|instrumental|karaoke|remix|\d{4})\b",
    re.I,
)
_LIVE_RELEASE = re.compile(
    r"^live\s+(at|from|in|on)\b|[\(\[]\s*live\b[^\)\]]*[\)\]]|\bunplugged\b|\s[-\u2013\u2014]\s+live\b"
    # "Live" last, maybe with its year or medium: "Chicago Live \u201983", "... LIVE 2006", "TOUR『2012』LIVE CD".
    r"|\blive(\s*['\u2019]?\d{2,4}|\s+(cd|dvd))?$|\blive\s+(at|from|in)\s",
    re.I,
)
_MARKERS_FILE = Path(__file__).with_name("catalog_markers.json")


@cache
def localized_markers() -> dict[str, re.Pattern[str]]:
    """kind -> one pattern of every language's markers of that kind (catalog_markers.json), loaded once.
    The vocabulary is data so a new language is a table edit, not a longer regex."""
    data = json.loads(_MARKERS_FILE.read_text(encoding="utf-8"))["languages"]
    parts: dict[str, list[str]] = {}
    for table in data.values():
        boundary = bool(table.get("boundary", True))
        for kind, words in table.items():
            if kind in ("boundary", "live_release"):
                continue
            for word in words:
                text = re.escape(word)
                parts.setdefault(kind, []).append(rf"(?<!\w){text}(?!\w)" if boundary else text)
    return {kind: re.compile("|".join(alts), re.I) for kind, alts in parts.items()}


@cache
def localized_live_release() -> re.Pattern[str]:
    """Every language's live markers (and its `live_release` extras) where a release name uses them:
    last (a year may follow), opening a bracket, or after a dash. Not anywhere: "Ao Vivo e a Cores"
    or "ラブライブ!" must not read as live albums."""
    data = json.loads(_MARKERS_FILE.read_text(encoding="utf-8"))["languages"]
    alts: list[str] = []
    for table in data.values():
        boundary = bool(table.get("boundary", True))
        for word in [*table.get("live", []), *table.get("live_release", [])]:
            text = re.escape(word)
            before = r"(?:^|(?<=[\s/]))" if boundary else ""
            alts.append(rf"{before}{text}(?:\s*['\u2019]?\d{{2,4}})?\s*[\)\]]?\s*$")  # last
            alts.append(rf"[\(\[]\s*{text}(?!\w)")  # opening a bracket
            alts.append(rf"\s[-\u2013\u2014]\s+{text}(?!\w)")  # after a dash
    return re.compile("|".join(alts), re.I)


def _localized_kind(suffix: str) -> str | None:
    for kind, pattern in localized_markers().items():
        if pattern.search(suffix):
            return kind
    return None


def excluded_kind(title: str) -> str | None:
    """'live', 'remix', 'edit', 'acoustic', 'demo', 'instrumental' or 'karaoke' when a version suffix
    says the track is not the studio song; None for studio songs (remasters included)."""
    for suffix in _suffixes(title):
        for kind, pattern in _EXCLUDED_KINDS:
            if pattern.search(suffix):
                return kind
        kind = _localized_kind(suffix)
        if kind is not None and kind != "remaster":
            return kind
    return None


def is_remaster(title: str) -> bool:
    return any(_REMASTER.search(s) or _localized_kind(s) == "remaster" for s in _suffixes(title))


def is_live_release(name: str) -> bool:
    text = " ".join(name.split())
    return bool(_LIVE_RELEASE.search(text) or localized_live_release().search(text))


def song_key(title: str) -> str:
    """The title with brackets and version suffixes dropped, normalized: the de-duplication key."""
    text = _BRACKETS.sub(" ", title)
    wrapped = _WRAPPED_SUFFIX.search(text)
    if wrapped and (_VERSION_WORDS.search(wrapped.group(1)) or _localized_kind(wrapped.group(1))):
        text = text[: wrapped.start()]
    match = _DASH_SUFFIX.search(text)
    if match and (_VERSION_WORDS.search(match.group(1)) or _localized_kind(match.group(1))):
        text = text[: match.start()]
    return normalize_name(text) or normalize_name(title)


def _suffixes(title: str) -> list[str]:
    found = [m.group(1) for m in _BRACKETS.finditer(title)]
    dash = _DASH_SUFFIX.search(title)
    if dash:
        found.append(dash.group(1))
    wrapped = _WRAPPED_SUFFIX.search(title)
    if wrapped:
        found.append(wrapped.group(1))
    return [s.strip() for s in found if s.strip()]
