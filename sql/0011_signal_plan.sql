-- The signal plan (lib/fleet/signals): where each provider's feed was last read up to.
-- `name` is e.g. 'setlistfm:feed' (value = the lastUpdated cursor) or 'ticketmaster:far_slice'
-- (position = the next slice of the far range to sweep).
CREATE SCHEMA IF NOT EXISTS pipelines;

CREATE TABLE IF NOT EXISTS pipelines.signal_cursors (
    name text PRIMARY KEY,
    value timestamptz,
    position integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Per artist, when the signal plan last looked at what no feed covers (Spotify's album list and
-- profile), on the plan's clock.
CREATE TABLE IF NOT EXISTS pipelines.signal_artists (
    artist_id uuid PRIMARY KEY REFERENCES artists (id) ON DELETE CASCADE,
    releases_checked_at timestamptz,
    profile_checked_at timestamptz
);
CREATE INDEX IF NOT EXISTS signal_artists_releases ON pipelines.signal_artists (releases_checked_at);
CREATE INDEX IF NOT EXISTS signal_artists_profile ON pipelines.signal_artists (profile_checked_at);

-- The setlists writer looks setlists up by their setlist.fm id (a show's setlist taken by another
-- artist); at fleet scale that lookup must not scan the table.
CREATE INDEX IF NOT EXISTS setlists_external_id_idx ON setlists (external_id);
