-- Song master data served with the charts (the enrichment side of the catalog in the lake).
CREATE TABLE songs (
  song_id    text PRIMARY KEY,
  title      text NOT NULL,
  artist     text NOT NULL,
  genre      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per computed chart: a region (or 'global'), a period and the UTC window it covers.
CREATE TABLE charts (
  region         text        NOT NULL,
  period         text        NOT NULL CHECK (period IN ('hour', 'day')),
  window_start   timestamptz NOT NULL,
  window_end     timestamptz NOT NULL CHECK (window_end > window_start),
  status         text        NOT NULL CHECK (status IN ('provisional', 'final')),
  generated_at   timestamptz NOT NULL,
  eligible_plays bigint      NOT NULL CHECK (eligible_plays >= 0),
  PRIMARY KEY (region, period, window_start)
);

-- "The latest chart of a region and period" is the API's most common question.
CREATE INDEX charts_latest ON charts (region, period, window_start DESC);

CREATE TABLE chart_entries (
  region       text     NOT NULL,
  period       text     NOT NULL,
  window_start timestamptz NOT NULL,
  rank         smallint NOT NULL CHECK (rank BETWEEN 1 AND 100),
  song_id      text     NOT NULL,
  plays        bigint   NOT NULL CHECK (plays > 0),
  PRIMARY KEY (region, period, window_start, rank),
  FOREIGN KEY (region, period, window_start) REFERENCES charts ON DELETE CASCADE
);
