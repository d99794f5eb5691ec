-- The dynamic partition key of each artist, fixed once and never changed.
-- A request (sync_jobs row, schedule, UI) names an artist by any of its ids or its name; the key it
-- is given here stays the same when later syncs discover the artist's other ids or rename it.
CREATE TABLE IF NOT EXISTS pipelines.artist_keys (
    partition_key text PRIMARY KEY,
    artist_id uuid UNIQUE REFERENCES artists (id) ON DELETE SET NULL,
    spotify_id text UNIQUE,
    tm_attraction_id text UNIQUE,
    mbid text UNIQUE,
    name text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
