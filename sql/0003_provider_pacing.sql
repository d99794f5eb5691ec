-- Provider pacing, daily quotas and circuit breakers, shared by every run and process.
--
-- One row per provider. Every provider call first runs pipelines.provider_acquire(), which locks the
-- row, checks the breaker and the day's quota, and reserves the next send slot of a GCRA token bucket
-- (a "theoretical arrival time", tat). The caller then sleeps until its slot OUTSIDE any transaction,
-- so a waiting process never holds the lock. All clock readings are the server's clock_timestamp(),
-- taken after the row lock is granted, so client clock skew and lock waits cannot break the rate.

CREATE SCHEMA IF NOT EXISTS pipelines;

CREATE TABLE IF NOT EXISTS pipelines.provider_pacing (
    provider text PRIMARY KEY,
    rate_per_second double precision,           -- last rate a caller asked for (informative)
    daily_quota integer,                        -- last daily quota a caller asked for (informative)
    tat timestamptz,                            -- next free send slot (GCRA theoretical arrival time)
    quota_day date,                             -- the UTC day quota_used counts
    quota_used integer NOT NULL DEFAULT 0,
    failures integer NOT NULL DEFAULT 0,        -- consecutive failed attempts (5xx, connection errors)
    open_count integer NOT NULL DEFAULT 0,      -- consecutive openings, for the growing cooldown
    open_until timestamptz,                     -- breaker open while now() < open_until
    open_kind text,                             -- 'failures' | 'quota' | 'rate_limited'
    open_reason text,                           -- a sentence a person can act on (never a secret)
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Reserve one call: returns outcome 'granted' (sleep wait_seconds, then send), 'circuit' (breaker open
-- until `until`) or 'quota' (the day's budget is spent until `until`, the next UTC midnight).
CREATE OR REPLACE FUNCTION pipelines.provider_acquire(
    p_provider text, p_rate double precision, p_burst integer, p_daily_quota integer
) RETURNS TABLE (
    outcome text, wait_seconds double precision, until timestamptz, used_today integer,
    failures integer, reason text
) LANGUAGE plpgsql AS $$
DECLARE
    s pipelines.provider_pacing%ROWTYPE;
    t timestamptz;
    today date;
    used integer;
    step interval := make_interval(secs => 1.0 / p_rate);
    arrival timestamptz;
    slot timestamptz;
BEGIN
    INSERT INTO pipelines.provider_pacing (provider) VALUES (p_provider) ON CONFLICT DO NOTHING;
    SELECT * INTO s FROM pipelines.provider_pacing p WHERE p.provider = p_provider FOR UPDATE;
    t := clock_timestamp();
    today := (t AT TIME ZONE 'UTC')::date;
    used := CASE WHEN s.quota_day = today THEN s.quota_used ELSE 0 END;
    IF s.open_until IS NOT NULL AND s.open_until > t THEN
        RETURN QUERY SELECT 'circuit'::text, 0::float8, s.open_until, used, s.failures, s.open_reason;
        RETURN;
    END IF;
    IF used >= p_daily_quota THEN
        RETURN QUERY SELECT 'quota'::text, 0::float8, ((today + 1)::timestamp AT TIME ZONE 'UTC'), used,
            s.failures, format('the daily budget of %s calls is spent', p_daily_quota);
        RETURN;
    END IF;
    arrival := greatest(coalesce(s.tat, t), t);
    slot := greatest(t, arrival - step * (greatest(p_burst, 1) - 1));
    UPDATE pipelines.provider_pacing p
       SET tat = arrival + step, quota_day = today, quota_used = used + 1,
           rate_per_second = p_rate, daily_quota = p_daily_quota, updated_at = t
     WHERE p.provider = p_provider;
    RETURN QUERY SELECT 'granted'::text, extract(epoch FROM slot - t)::float8, slot, used + 1,
        s.failures, s.open_reason;
END
$$;

-- Push every process's next slot to at least now + p_seconds (a 429 asks all of them to back off).
CREATE OR REPLACE FUNCTION pipelines.provider_defer(p_provider text, p_seconds double precision)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO pipelines.provider_pacing AS p (provider, tat)
    VALUES (p_provider, clock_timestamp() + make_interval(secs => p_seconds))
    ON CONFLICT (provider) DO UPDATE
        SET tat = greatest(coalesce(p.tat, clock_timestamp()),
                           clock_timestamp() + make_interval(secs => p_seconds)),
            updated_at = clock_timestamp();
$$;

-- Count calls made without pacing against today's budget; returns today's total.
CREATE OR REPLACE FUNCTION pipelines.provider_consume(p_provider text, p_calls integer)
RETURNS integer LANGUAGE sql AS $$
    INSERT INTO pipelines.provider_pacing AS p (provider, quota_day, quota_used)
    VALUES (p_provider, (clock_timestamp() AT TIME ZONE 'UTC')::date, p_calls)
    ON CONFLICT (provider) DO UPDATE
        SET quota_used = CASE WHEN p.quota_day = (clock_timestamp() AT TIME ZONE 'UTC')::date
                              THEN p.quota_used ELSE 0 END + p_calls,
            quota_day = (clock_timestamp() AT TIME ZONE 'UTC')::date,
            updated_at = clock_timestamp()
    RETURNING quota_used;
$$;

-- One more failed attempt. At p_threshold consecutive failures the breaker opens for the cooldown,
-- doubled at each consecutive opening (capped at 64x); a failure while half-open re-opens it at once.
CREATE OR REPLACE FUNCTION pipelines.provider_failure(
    p_provider text, p_threshold integer, p_cooldown_seconds double precision, p_reason text
) RETURNS TABLE (opened boolean, until timestamptz, failures integer)
LANGUAGE plpgsql AS $$
DECLARE
    s pipelines.provider_pacing%ROWTYPE;
    t timestamptz;
    opening boolean;
BEGIN
    INSERT INTO pipelines.provider_pacing (provider) VALUES (p_provider) ON CONFLICT DO NOTHING;
    SELECT * INTO s FROM pipelines.provider_pacing p WHERE p.provider = p_provider FOR UPDATE;
    t := clock_timestamp();
    opening := s.failures + 1 >= p_threshold AND (s.open_until IS NULL OR s.open_until <= t);
    UPDATE pipelines.provider_pacing p
       SET failures = s.failures + 1,
           open_count = CASE WHEN opening THEN s.open_count + 1 ELSE s.open_count END,
           open_until = CASE WHEN opening
                             THEN t + make_interval(secs => p_cooldown_seconds * power(2, least(s.open_count, 6)))
                             ELSE s.open_until END,
           open_kind = CASE WHEN opening THEN 'failures' ELSE s.open_kind END,
           open_reason = CASE WHEN opening THEN p_reason ELSE s.open_reason END,
           updated_at = t
     WHERE p.provider = p_provider
    RETURNING opening, p.open_until, p.failures INTO opened, until, failures;
    RETURN NEXT;
END
$$;

-- A successful answer closes the breaker, unless it was opened for a quota or a long rate limit that
-- has not expired (a call that was already in flight proves nothing about those).
CREATE OR REPLACE FUNCTION pipelines.provider_success(p_provider text)
RETURNS void LANGUAGE sql AS $$
    UPDATE pipelines.provider_pacing
       SET failures = 0, open_count = 0, open_until = NULL, open_kind = NULL, open_reason = NULL,
           updated_at = clock_timestamp()
     WHERE provider = p_provider
       AND (failures > 0 OR open_until IS NOT NULL)
       AND (open_kind IS DISTINCT FROM 'quota' AND open_kind IS DISTINCT FROM 'rate_limited'
            OR open_until <= clock_timestamp());
$$;

-- Open the breaker until p_until (the provider said its quota is gone, or to wait hours).
CREATE OR REPLACE FUNCTION pipelines.provider_trip(
    p_provider text, p_until timestamptz, p_kind text, p_reason text
) RETURNS void LANGUAGE sql AS $$
    INSERT INTO pipelines.provider_pacing AS p (provider, open_until, open_kind, open_reason)
    VALUES (p_provider, p_until, p_kind, p_reason)
    ON CONFLICT (provider) DO UPDATE
        SET open_until = greatest(coalesce(p.open_until, p_until), p_until),
            open_kind = p_kind, open_reason = p_reason, updated_at = clock_timestamp();
$$;
