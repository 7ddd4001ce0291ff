-- The revision of everything a chart answer is read from (charts, their entries and semantics, genre charts,
-- songs): one up in every transaction that changes any of it, as its last statement. The charts API keeps a final
-- chart's answer until the revision moves, and checks it for every request, so it never serves a chart older
-- than the last committed write, whichever process wrote it (docs/decisions.md, "Charts API caching").
CREATE TABLE chart_revision (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  revision bigint  NOT NULL
);

INSERT INTO chart_revision (revision) VALUES (0);
