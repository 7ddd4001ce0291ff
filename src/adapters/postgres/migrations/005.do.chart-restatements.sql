-- Restatements (docs/contracts.md, "Restatements"): a chart is `closing` within the grace for late plays after
-- its window ends, then `final`; a final chart that a late play changes is restated, one version on, with the
-- time of its restatement. Charts written before this migration are their first version.
ALTER TABLE charts
  DROP CONSTRAINT charts_status_check,
  ADD CONSTRAINT charts_status_check CHECK (status IN ('provisional', 'closing', 'final')),
  ADD COLUMN version     integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
  ADD COLUMN restated_at timestamptz,
  ADD CONSTRAINT charts_restated_after_first_version CHECK ((restated_at IS NULL) = (version = 1));

-- The scheduled runs look for windows left unfinished (not final although their grace is over) on every run.
CREATE INDEX charts_unfinished ON charts (period, window_start) WHERE status <> 'final';
