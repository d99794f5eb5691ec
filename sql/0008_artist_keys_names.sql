-- Name lookups for partition keys (a second request by name lands on the first one's key), and the
-- artists.id the app asked for before it had created the row (the profile sync creates it with it).
ALTER TABLE pipelines.artist_keys ADD COLUMN IF NOT EXISTS name_key text;
ALTER TABLE pipelines.artist_keys ADD COLUMN IF NOT EXISTS requested_artist_id uuid UNIQUE;
CREATE INDEX IF NOT EXISTS artist_keys_name_key_idx ON pipelines.artist_keys (name_key);
