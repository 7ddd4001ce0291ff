-- Live charts (docs/contracts.md, "Live charts"; docs/decisions.md, "Live charts: exact running tallies"). The
-- live-chart function keeps, per open window (hour, day) and event_id, the one delivery the chart from the lake
-- will count (the least partition and offset), and running tallies of the counted ones, changed in the
-- transaction that keeps them: a batch delivered again changes nothing. A window's rows go once it is final.

CREATE TABLE live_chart_plays (
  period           text        NOT NULL CHECK (period IN ('hour', 'day')),
  window_start     timestamptz NOT NULL,
  event_id         uuid        NOT NULL,
  source_partition integer     NOT NULL,
  source_offset    bigint      NOT NULL,
  region           text        NOT NULL,
  song_id          text        NOT NULL,
  counted          boolean     NOT NULL,
  PRIMARY KEY (period, window_start, event_id)
);

-- Eligible plays per window, region (and 'global') and song. No CHECK on plays: an upsert's proposed row is
-- checked before it meets the row it adds to, and a replaced delivery proposes -1.
CREATE TABLE live_chart_tallies (
  period       text        NOT NULL CHECK (period IN ('hour', 'day')),
  window_start timestamptz NOT NULL,
  region       text        NOT NULL,
  song_id      text        NOT NULL,
  plays        bigint      NOT NULL,
  PRIMARY KEY (period, window_start, region, song_id)
);

-- The windows that have live tallies, with the newest play tallied in each (the pipeline's live-chart lag).
CREATE TABLE live_chart_windows (
  period         text        NOT NULL CHECK (period IN ('hour', 'day')),
  window_start   timestamptz NOT NULL,
  newest_play_at timestamptz NOT NULL,
  PRIMARY KEY (period, window_start)
);

-- When the live-chart function last committed a batch: a live chart counts every play it had read by then.
CREATE TABLE live_chart_progress (
  singleton boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
  as_of     timestamptz NOT NULL
);
