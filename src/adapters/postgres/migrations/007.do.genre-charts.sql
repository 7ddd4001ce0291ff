-- Charts by genre (docs/contracts.md, "GET /v1/charts"): each window's top 10 of one genre's plays per region, written
-- by the chart jobs with the window's charts, whose status and times they share. Only genres with eligible plays
-- have a row; a chart's other genres are empty. Deleting the window's charts deletes them.
CREATE TABLE genre_charts (
  genre          text        NOT NULL,
  region         text        NOT NULL,
  period         text        NOT NULL,
  window_start   timestamptz NOT NULL,
  eligible_plays bigint      NOT NULL CHECK (eligible_plays > 0),
  PRIMARY KEY (region, period, window_start, genre),
  FOREIGN KEY (region, period, window_start) REFERENCES charts ON DELETE CASCADE
);

CREATE TABLE genre_chart_entries (
  genre        text        NOT NULL,
  region       text        NOT NULL,
  period       text        NOT NULL,
  window_start timestamptz NOT NULL,
  rank         smallint    NOT NULL CHECK (rank BETWEEN 1 AND 100),
  song_id      text        NOT NULL,
  plays        bigint      NOT NULL CHECK (plays > 0),
  PRIMARY KEY (region, period, window_start, genre, rank),
  FOREIGN KEY (region, period, window_start, genre) REFERENCES genre_charts ON DELETE CASCADE
);

-- A song's history in one genre's series: what its movement, peak and windows on chart are read from.
CREATE UNIQUE INDEX genre_chart_entries_by_song
  ON genre_chart_entries (song_id, genre, period, region, window_start) INCLUDE (rank);
