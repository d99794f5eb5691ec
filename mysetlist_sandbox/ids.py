"""Deterministic, provider-shaped ids and small text helpers for the sandbox data.

Every id is derived from a stable seed with SHA-256, so the same data yields the same ids in every
process and on every machine (Python's `hash()` is salted per process and would not).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_MBID_NAMESPACE = uuid.UUID("6f1a4c3e-9d2b-4e57-8a41-5c0de5a2b7f1")
_WORD = re.compile(r"[a-z0-9]+")


def _digest(seed: str) -> int:
    return int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")


def b62(seed: str, length: int) -> str:
    n = _digest(seed)
    out = []
    for _ in range(length):
        n, r = divmod(n, 62)
        out.append(_B62[r])
    return "".join(out)


def hexid(seed: str, length: int = 8) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def number(seed: str, low: int, high: int) -> int:
    """A deterministic integer in [low, high]."""
    return low + _digest(seed) % (high - low + 1)


def spotify_id(seed: str) -> str:
    """22 base62 characters, like every Spotify id."""
    return b62(f"spotify:{seed}", 22)


def tm_event_id(seed: str) -> str:
    return "vvG1" + b62(f"tm-event:{seed}", 10)


def tm_venue_id(seed: str) -> str:
    return "KovZpZ" + b62(f"tm-venue:{seed}", 6)


def tm_attraction_id(seed: str) -> str:
    return "K8vZ91" + b62(f"tm-attraction:{seed}", 5)


def mbid(seed: str) -> str:
    return str(uuid.uuid5(_MBID_NAMESPACE, seed))


def isrc(seed: str) -> str:
    """CC-XXX-YY-NNNNN without the dashes, as Spotify returns it."""
    return f"US{b62('isrc-reg:' + seed, 3).upper()}{number('isrc-yy:' + seed, 10, 26)}{number('isrc:' + seed, 10000, 99999)}"


def fold(text: str) -> str:
    """Accents stripped and casefolded: the sandbox's own search key (independent of lib/text.py, so a
    bug there cannot hide behind the same bug here)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text).replace("&", " and "))


def slug(text: str) -> str:
    return "-".join(words(text)) or "x"


def duration_ms(seed: str, low_s: int = 150, high_s: int = 330) -> int:
    return number(f"dur:{seed}", low_s, high_s) * 1000
