"""Name normalization and slugs, shared by matching, catalogs, venues and partition keys."""

from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SPACE = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def fold_accents(value: str) -> str:
    """'Sigur Rós' -> 'Sigur Ros', 'Björk' -> 'Bjork' (NFKD, combining marks dropped)."""
    if value.isascii():  # NFKD leaves ASCII as it is and has no marks to drop (most names, every slug)
        return value
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize_name(value: str) -> str:
    """The matching key of external-apis.md: NFKD, accents stripped, casefolded, `&` -> `and`,
    a leading "the " dropped, punctuation dropped, whitespace collapsed."""
    text = fold_accents(value).casefold().replace("&", " and ")
    text = _SPACE.sub(" ", _PUNCT.sub(" ", text)).strip()
    if text.startswith("the "):
        text = text[4:]
    return text


def slugify(value: str, fallback: str = "item", max_length: int | None = None) -> str:
    """Lower-case ASCII words joined by '-', accents folded; `fallback` when nothing is left
    (a name written only in a non-Latin script, say). With `max_length`, cut after the last whole
    word that fits (a single longer word is cut): slugs and partition keys stay short."""
    text = fold_accents(value).lower().replace("&", " and ")
    slug = _NON_SLUG.sub("-", text).strip("-")
    if max_length is not None and len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut.strip("-") else slug[:max_length]
        slug = slug[:max_length].strip("-")
    return slug or fallback


def unique_slug(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`... whichever is not in `taken`."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
