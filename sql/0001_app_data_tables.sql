-- The app's data tables (app-contract section 3). When the app's own migrations created them already,
-- every statement here is a no-op: tables, types and indexes are created only where missing, and the
-- code relies on no constraint beyond the contract's.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                   WHERE t.typname = 'show_status' AND n.nspname = current_schema()) THEN
        CREATE TYPE show_status AS ENUM ('upcoming', 'ongoing', 'completed', 'cancelled');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                   WHERE t.typname = 'setlist_type' AND n.nspname = current_schema()) THEN
        CREATE TYPE setlist_type AS ENUM ('predicted', 'actual');
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS artists (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tm_attraction_id text UNIQUE,
    spotify_id text UNIQUE,
    mbid text UNIQUE,
    name text NOT NULL,
    slug text NOT NULL UNIQUE,
    image_url text,
    small_image_url text,
    genres text,
    popularity integer DEFAULT 0,
    followers integer DEFAULT 0,
    verified boolean DEFAULT false,
    external_urls text,
    import_status text,
    last_synced_at timestamptz,
    song_catalog_synced_at timestamptz,
    shows_synced_at timestamptz,
    last_full_sync_at timestamptz,
    total_albums integer DEFAULT 0,
    total_songs integer DEFAULT 0,
    total_shows integer DEFAULT 0,
    upcoming_shows integer DEFAULT 0,
    total_setlists integer DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS venues (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL,
    slug text NOT NULL UNIQUE,
    tm_venue_id text UNIQUE,
    address text,
    city text NOT NULL,
    state text,
    country text NOT NULL,
    postal_code text,
    latitude double precision,
    longitude double precision,
    timezone text NOT NULL,
    capacity integer,
    website text,
    image_url text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS shows (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    headliner_artist_id uuid NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    venue_id uuid REFERENCES venues (id) ON DELETE SET NULL,
    name text NOT NULL,
    slug text UNIQUE,
    date date,
    start_time time,
    status show_status NOT NULL DEFAULT 'upcoming',
    ticket_url text,
    min_price integer,
    max_price integer,
    currency text DEFAULT 'USD',
    tm_event_id text UNIQUE,
    setlistfm_id text,
    setlist_ready boolean DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS show_artists (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    show_id uuid NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    artist_id uuid NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    order_index integer DEFAULT 0,
    is_headliner boolean DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS songs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    spotify_id text UNIQUE,
    isrc text,
    name text NOT NULL,
    album_name text,
    artist text NOT NULL,
    album_id text,
    track_number integer,
    disc_number integer,
    album_type text,
    album_art_url text,
    release_date date,
    duration_ms integer,
    popularity integer DEFAULT 0,
    spotify_uri text,
    external_urls text,
    is_explicit boolean DEFAULT false,
    is_live boolean DEFAULT false,
    is_remix boolean DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS artist_songs (
    artist_id uuid NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    song_id uuid NOT NULL REFERENCES songs (id) ON DELETE CASCADE,
    is_primary_artist boolean DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (artist_id, song_id)
);

CREATE TABLE IF NOT EXISTS setlists (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    show_id uuid NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    artist_id uuid NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    type setlist_type NOT NULL,
    name text DEFAULT 'Main Set',
    order_index integer DEFAULT 0,
    is_locked boolean DEFAULT false,
    total_votes integer DEFAULT 0,
    accuracy_score integer DEFAULT 0,
    imported_from text,
    external_id text,
    imported_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS setlist_songs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    setlist_id uuid NOT NULL REFERENCES setlists (id) ON DELETE CASCADE,
    song_id uuid NOT NULL REFERENCES songs (id) ON DELETE CASCADE,
    position integer NOT NULL,
    notes text,
    is_played boolean,
    upvotes integer DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (setlist_id, position)
);

-- Lookup paths of the sync (headliner's shows, an artist's songs and setlists).
CREATE INDEX IF NOT EXISTS shows_headliner_artist_id_idx ON shows (headliner_artist_id);
CREATE INDEX IF NOT EXISTS shows_date_idx ON shows (date);
CREATE INDEX IF NOT EXISTS show_artists_show_id_idx ON show_artists (show_id);
CREATE INDEX IF NOT EXISTS show_artists_artist_id_idx ON show_artists (artist_id);
CREATE INDEX IF NOT EXISTS artist_songs_song_id_idx ON artist_songs (song_id);
CREATE INDEX IF NOT EXISTS setlists_show_id_idx ON setlists (show_id);
CREATE INDEX IF NOT EXISTS setlists_artist_id_idx ON setlists (artist_id);
CREATE INDEX IF NOT EXISTS setlist_songs_song_id_idx ON setlist_songs (song_id);
