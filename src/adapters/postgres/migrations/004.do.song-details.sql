-- The generated catalog's song details (docs/contracts.md, "The catalog"): null where a catalog does not say
-- (written before them, or the seeded one without home regions and popularity).
ALTER TABLE songs
  ADD COLUMN language     text     CHECK (language ~ '^[a-z]{2,3}$'),
  ADD COLUMN release_year smallint CHECK (release_year BETWEEN 1000 AND 9999),
  ADD COLUMN duration_ms  integer  CHECK (duration_ms > 0),
  ADD COLUMN home_regions text[],
  ADD COLUMN popularity   smallint CHECK (popularity BETWEEN 1 AND 100);
