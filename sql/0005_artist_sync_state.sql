-- The per-artist sync's own state, apart from the app's tables.

-- How each service's identity of an artist was decided (or why it was not): never guessed, always
-- explained, so an ambiguous artist can be settled by hand.
CREATE TABLE IF NOT EXISTS pipelines.artist_matches (
    artist_id uuid NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    service text NOT NULL CHECK (service IN ('ticketmaster', 'spotify', 'setlistfm')),
    external_id text,
    method text NOT NULL,   -- known | external_link | name | none
    status text NOT NULL,   -- matched | ambiguous | missing | conflict
    reason text NOT NULL,
    candidates jsonb NOT NULL DEFAULT '[]'::jsonb,
    decided_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (artist_id, service)
);

-- Every Spotify release of an artist already looked at, so an incremental catalog sync fetches only
-- new ones (or one whose track count changed). status: imported | live (skipped whole, never fetched).
CREATE TABLE IF NOT EXISTS pipelines.spotify_releases (
    artist_id uuid NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    album_id text NOT NULL,
    name text NOT NULL,
    album_type text NOT NULL,
    release_date text,
    total_tracks integer NOT NULL DEFAULT 0,
    status text NOT NULL,
    tracks_kept integer NOT NULL DEFAULT 0,
    tracks_dropped integer NOT NULL DEFAULT 0,
    synced_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (artist_id, album_id)
);

-- When each part of an artist was last synced by this project (the app's own *_synced_at columns
-- may be touched by the app; freshness decisions read these).
CREATE TABLE IF NOT EXISTS pipelines.artist_sync_state (
    artist_id uuid PRIMARY KEY REFERENCES artists (id) ON DELETE CASCADE,
    profile_synced_at timestamptz,
    catalog_synced_at timestamptz,
    shows_synced_at timestamptz,
    setlists_synced_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);
