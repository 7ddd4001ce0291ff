-- API keys for POST /v1/plays. Only a SHA-256 hash of each key is kept (the key is shown once, when created);
-- `prefix` is its first characters, enough to recognise a key in a list without revealing it.
CREATE TABLE api_keys (
  id                  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name                text        NOT NULL CHECK (name ~ '^[A-Za-z][A-Za-z0-9._-]{0,62}$'),
  prefix              text        NOT NULL,
  key_hash            bytea       NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
  rate_limit          integer     NOT NULL CHECK (rate_limit > 0),
  rate_window_seconds integer     NOT NULL CHECK (rate_window_seconds IN (1, 60, 3600)),
  created_at          timestamptz NOT NULL DEFAULT now(),
  revoked_at          timestamptz
);

-- A name names one key in use at a time; revoked keys keep theirs, so a name can be given to a new key.
CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;

-- The rate limiter's fixed-window counter: one row per key, the requests counted in its current window.
CREATE TABLE api_key_usage (
  key_id       bigint      PRIMARY KEY REFERENCES api_keys ON DELETE CASCADE,
  window_start timestamptz NOT NULL,
  requests     integer     NOT NULL CHECK (requests > 0),
  last_used_at timestamptz NOT NULL
);
