-- Counts at every hop (docs/contracts.md, "GET /v1/pipeline"). Ingest and the dead-letter counter count per UTC
-- hour (a day sums its hours); the chart jobs store what they found in the lake per window. `region` is '' for a
-- record that names no configured region: only the global total includes it.

-- Deliveries ingest acknowledged (202), by the hour of their played_at; added to by every request.
CREATE TABLE ingest_accepted (
  hour       timestamptz NOT NULL,
  region     text        NOT NULL,
  deliveries bigint      NOT NULL CHECK (deliveries >= 0),
  PRIMARY KEY (hour, region)
);

-- Events ingest rejected, by the field of their first error.
CREATE TABLE ingest_rejected (
  hour   timestamptz NOT NULL,
  region text        NOT NULL,
  reason text        NOT NULL,
  events bigint      NOT NULL CHECK (events >= 0),
  PRIMARY KEY (hour, region, reason)
);

-- One row per record that reached the dead-letter topic, keyed by where it came from (the x-source header, else
-- its own position in the dead-letter topic), so that a redelivered or twice forwarded dead letter counts once.
CREATE TABLE dead_letters (
  source          text        PRIMARY KEY,
  hour            timestamptz NOT NULL,
  region          text        NOT NULL,
  reason          text        NOT NULL,
  dead_lettered_at timestamptz NOT NULL
);
CREATE INDEX dead_letters_by_hour ON dead_letters (hour);

-- What the latest chart run of a window found in the lake, per region and global; replaced with each run.
CREATE TABLE lake_counts (
  period           text        NOT NULL CHECK (period IN ('hour', 'day')),
  window_start     timestamptz NOT NULL,
  region           text        NOT NULL,
  in_lake          bigint      NOT NULL CHECK (in_lake >= 0),
  rejected_in_lake bigint      NOT NULL CHECK (rejected_in_lake >= 0),
  duplicates       bigint      NOT NULL CHECK (duplicates >= 0),
  short_plays      bigint      NOT NULL CHECK (short_plays >= 0),
  charted          bigint      NOT NULL CHECK (charted >= 0),
  newest_play_at   timestamptz,
  counted_at       timestamptz NOT NULL,
  PRIMARY KEY (period, window_start, region)
);
