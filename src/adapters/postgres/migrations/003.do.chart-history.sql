-- Chart semantics (docs/contracts.md, "Chart semantics"): for each entry, within its region and period, its rank
-- in the previous window, its movement, its best rank so far and how many windows it has been in the top 10.
-- They are stored, not derived per request (docs/decisions.md, "Chart semantics stored with the entries").
-- The columns are filled by refresh_chart_semantics in the transaction that writes the entries, so readers never
-- see them empty; they are nullable only because the entries are inserted a statement before that.
ALTER TABLE chart_entries
  ADD COLUMN previous_rank    smallint CHECK (previous_rank BETWEEN 1 AND 100),
  ADD COLUMN movement         text     CHECK (movement IN ('up', 'down', 'same', 'new', 're-entry')),
  ADD COLUMN peak_rank        smallint CHECK (peak_rank BETWEEN 1 AND 100),
  ADD COLUMN periods_on_chart integer  CHECK (periods_on_chart >= 1),
  ADD CONSTRAINT chart_entries_peak_at_most_rank CHECK (peak_rank <= rank),
  ADD CONSTRAINT chart_entries_movement_matches_previous_rank
    CHECK ((previous_rank IS NULL) = (movement IN ('new', 're-entry')));

-- A song is in a chart once. Ordered by song first, the same index finds a song's history (the song endpoint,
-- the semantics below) without touching the table.
CREATE UNIQUE INDEX chart_entries_by_song
  ON chart_entries (song_id, period, region, window_start) INCLUDE (rank, plays);

-- The window before a window of the period starts this much earlier (hours, not a day: a day interval would
-- follow the session's time zone across daylight saving changes; windows are UTC).
CREATE FUNCTION chart_period_length(period text) RETURNS interval
  LANGUAGE sql IMMUTABLE STRICT
  RETURN CASE period WHEN 'hour' THEN interval '1 hour' WHEN 'day' THEN interval '24 hours' END;

-- Recomputes the semantics of every entry from `p_from` on of the given (region, song) pairs in one period:
-- the songs of a window just written (its old and its new entries). Nothing before `p_from` changed, so each
-- song's last entry before it holds right values to continue from, and only that song's later entries can change
-- (and the next window's previous ranks, which are entries of these songs too). Writes only rows whose values
-- change; returns how many.
CREATE FUNCTION refresh_chart_semantics(p_period text, p_from timestamptz, p_regions text[], p_songs text[])
  RETURNS integer
  LANGUAGE sql
AS $$
  WITH song AS (
    SELECT DISTINCT region, song_id FROM unnest(p_regions, p_songs) AS pair(region, song_id)
  ),
  -- Per song, through the song index: its last entry before p_from and its entries from p_from on.
  since AS (
    SELECT song.region, later.window_start, later.rank,
      last.window_start AS last_start, last.rank AS last_rank, last.peak_rank AS last_peak,
      last.periods_on_chart AS last_periods,
      lag(later.window_start) OVER w AS prior_start,
      lag(later.rank) OVER w AS prior_rank,
      count(*) OVER w AS periods,
      min(later.rank) OVER w AS best
    FROM song
    LEFT JOIN LATERAL (
      SELECT e.window_start, e.rank, e.peak_rank, e.periods_on_chart
      FROM chart_entries e
      WHERE e.song_id = song.song_id AND e.period = p_period AND e.region = song.region
        AND e.window_start < p_from
      ORDER BY e.window_start DESC
      LIMIT 1
    ) AS last ON true
    CROSS JOIN LATERAL (
      SELECT e.window_start, e.rank
      FROM chart_entries e
      WHERE e.song_id = song.song_id AND e.period = p_period AND e.region = song.region
        AND e.window_start >= p_from
    ) AS later
    WINDOW w AS (PARTITION BY song.region, song.song_id ORDER BY later.window_start)
  ),
  derived AS (
    SELECT region, window_start, rank,
      CASE
        WHEN coalesce(prior_start, last_start) = window_start - chart_period_length(p_period)
        THEN coalesce(prior_rank, last_rank)
      END AS previous_rank,
      coalesce(prior_start, last_start) IS NOT NULL AS charted_before,
      least(best, last_peak) AS peak_rank,
      periods + coalesce(last_periods, 0) AS periods_on_chart
    FROM since
  ),
  semantics AS (
    SELECT region, window_start, rank, previous_rank, peak_rank, periods_on_chart,
      CASE
        WHEN previous_rank > rank THEN 'up'
        WHEN previous_rank < rank THEN 'down'
        WHEN previous_rank = rank THEN 'same'
        WHEN charted_before THEN 're-entry'
        ELSE 'new'
      END AS movement
    FROM derived
  ),
  changed AS (
    UPDATE chart_entries e
    SET previous_rank = s.previous_rank, movement = s.movement, peak_rank = s.peak_rank,
      periods_on_chart = s.periods_on_chart
    FROM semantics s
    WHERE e.region = s.region AND e.period = p_period AND e.window_start = s.window_start AND e.rank = s.rank
      AND (e.previous_rank, e.movement, e.peak_rank, e.periods_on_chart)
        IS DISTINCT FROM (s.previous_rank, s.movement, s.peak_rank, s.periods_on_chart)
    RETURNING 1
  )
  SELECT count(*)::integer FROM changed;
$$;

-- Entries charted before this migration get their semantics from their whole history.
SELECT refresh_chart_semantics(period, '-infinity', array_agg(region), array_agg(song_id))
FROM (SELECT DISTINCT period, region, song_id FROM chart_entries) AS charted
GROUP BY period;
