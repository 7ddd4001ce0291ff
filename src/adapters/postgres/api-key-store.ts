import type pg from 'pg';
import type { ActiveApiKey, RateLimit, RateWindowSeconds } from '../../domain/api-keys.ts';
import { ApiKeyNameTakenError, type ApiKeyRecord, type ApiKeyStore } from '../../ports/api-key-store.ts';
import { type BoundedQuery, boundedQuery } from './pool.ts';

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  rate_limit: number;
  rate_window_seconds: RateWindowSeconds;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const UNIQUE_VIOLATION = '23505';
const columns = 'k.id, k.name, k.prefix, k.rate_limit, k.rate_window_seconds, k.created_at, k.revoked_at';

/**
 * API keys in PostgreSQL. Every operation runs on one connection within `timeoutMs` and fails with a
 * StoreUnavailableError when the database is out of reach (src/adapters/postgres/pool.ts).
 */
export class PostgresApiKeyStore implements ApiKeyStore {
  private readonly query: BoundedQuery;

  constructor(pool: pg.Pool, timeoutMs: number) {
    this.query = boundedQuery(pool, timeoutMs);
  }

  async findActive(hash: Buffer): Promise<ActiveApiKey | undefined> {
    const { rows } = await this.query<KeyRow>(
      `SELECT ${columns} FROM api_keys k WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [hash],
    );
    const row = rows[0];
    return row ? { id: row.id, name: row.name, rateLimit: rateLimitOf(row) } : undefined;
  }

  async create(key: { name: string; prefix: string; hash: Buffer; rateLimit: RateLimit }) {
    try {
      const { rows } = await this.query<KeyRow>(
        `INSERT INTO api_keys AS k (name, prefix, key_hash, rate_limit, rate_window_seconds)
         VALUES ($1, $2, $3, $4, $5) RETURNING ${columns}, NULL::timestamptz AS last_used_at`,
        [key.name, key.prefix, key.hash, key.rateLimit.requests, key.rateLimit.windowSeconds],
      );
      return recordOf(rows[0]!);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION && /active_name/.test(String(error))) {
        throw new ApiKeyNameTakenError(`a key in use is already named "${key.name}"`);
      }
      throw error;
    }
  }

  async list(): Promise<ApiKeyRecord[]> {
    const { rows } = await this.query<KeyRow>(
      `SELECT ${columns}, u.last_used_at FROM api_keys k LEFT JOIN api_key_usage u ON u.key_id = k.id
       ORDER BY k.id`,
    );
    return rows.map(recordOf);
  }

  async revoke(key: { id: string } | { name: string }): Promise<ApiKeyRecord | undefined> {
    const [condition, value] =
      'id' in key ? ['k.id = $1::bigint', key.id] : ['k.name = $1 AND k.revoked_at IS NULL', key.name];
    const { rows } = await this.query<KeyRow>(
      `WITH revoked AS (
         UPDATE api_keys k SET revoked_at = coalesce(k.revoked_at, now()) WHERE ${condition} RETURNING ${columns}
       )
       SELECT k.*, u.last_used_at FROM revoked k LEFT JOIN api_key_usage u ON u.key_id = k.id`,
      [value],
    );
    return rows[0] && recordOf(rows[0]);
  }
}

function rateLimitOf(row: KeyRow): RateLimit {
  return { requests: row.rate_limit, windowSeconds: row.rate_window_seconds };
}

function recordOf(row: KeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    rateLimit: rateLimitOf(row),
    createdAt: row.created_at,
    revokedAt: row.revoked_at ?? undefined,
    lastUsedAt: row.last_used_at ?? undefined,
  };
}
