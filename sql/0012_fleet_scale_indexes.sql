-- Lookups the per-artist writers make at fleet scale (issue 15: 100,000 artists, ~360,000 shows).
-- allocate_slugs (lib/db/bulk.py) reads the slugs taken under each new slug's base ("base" and
-- "base-N") as a byte-wise range; the UNIQUE index on slug follows the database's collation and
-- cannot serve that range, so each new show or venue scanned the whole table.
CREATE INDEX IF NOT EXISTS shows_slug_pattern_idx ON shows (slug text_pattern_ops);
CREATE INDEX IF NOT EXISTS venues_slug_pattern_idx ON venues (slug text_pattern_ops);
-- A cover in a setlist is looked up among the songs without a Spotify id credited to the original
-- artist's name (lib/db/setlists.loose_songs): without this index, every such setlist scanned songs.
CREATE INDEX IF NOT EXISTS songs_loose_artist_idx ON songs (lower(artist)) WHERE spotify_id IS NULL;
