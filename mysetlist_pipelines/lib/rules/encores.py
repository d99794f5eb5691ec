"""Which sets are encores, and their numbers: setlist.fm's `encore` number, or a set only *named* so
("Encore", "Encore:", "Encore 2", "Zugabe", "Bis", "Rappel", ...: the editors of many setlists, Phish's
among them, type the name and leave the number out); a named encore without a number follows the
previous encore of the setlist (1 for the first).

Apart from the songs played (setlist_songs.py) because the vocabulary of encore names, in the
languages of setlist.fm's users, is where a new language goes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .setlist_records import SetlistSet

# What setlist.fm editors call an encore set, in the languages of the sites' users: English/French
# "encore", German "Zugabe(n)", Spanish/Portuguese/Italian/Polish "bis", French "rappel", Dutch "toegift",
# Swedish "extranummer", Danish/Norwegian "ekstranummer", Finnish "encore", Czech "přídavek",
# Japanese "アンコール". Matched whole (with an optional number, ordinal or colon), so a set named
# "Encore of the Night Tour" or "Bissau" is not one.
ENCORE_WORDS = (
    "encore", "encores", "zugabe", "zugaben", "bis", "rappel", "toegift", "toegiften", "extranummer",
    "ekstranummer", "přídavek", "pridavek", "アンコール",
)  # fmt: skip
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_ENCORE_NAME = re.compile(
    r"^(?:(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)\s+)?"
    r"(?P<word>" + "|".join(map(re.escape, ENCORE_WORDS)) + r")"
    r"(?:\s*(?:#|no\.?|nr\.?)?\s*(?P<num>\d{1,2}))?\s*[:.\-\u2013]?\s*$",
    re.I,
)


def named_encore(name: str | None) -> int | None:
    """The encore number a set's name gives (0: an encore without a number), None for other sets."""
    match = _ENCORE_NAME.match((name or "").strip())
    if match is None:
        return None
    if match["num"]:
        return int(match["num"])
    return _ORDINALS.get((match["ord"] or "").lower(), 0)


def encore_numbers(sets: Sequence[SetlistSet]) -> list[int]:
    """Per set: 0 for a main set, else its encore number (setlist.fm's, else its name's, else the one
    after the previous encore)."""
    numbers: list[int] = []
    last = 0
    for one_set in sets:
        number = one_set.encore or 0
        if not number:
            named = named_encore(one_set.name)
            number = 0 if named is None else (named or last + 1)
        last = max(last, number)
        numbers.append(number)
    return numbers
