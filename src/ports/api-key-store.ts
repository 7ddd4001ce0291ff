import type { ActiveApiKey, RateLimit } from '../domain/api-keys.ts';

/** A key as listed: never the key itself, which is not kept. */
export interface ApiKeyRecord extends ActiveApiKey {
  readonly prefix: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | undefined;
  /** The last request the rate limiter counted for it. */
  readonly lastUsedAt: Date | undefined;
}

/** The name is already taken by a key in use. */
export class ApiKeyNameTakenError extends Error {
  override name = 'ApiKeyNameTakenError';
}

/** Where API keys are kept (PostgreSQL), by the SHA-256 hash of the key. */
export interface ApiKeyStore {
  /** The key in use with this hash; undefined when there is none or it was revoked. */
  findActive(hash: Buffer): Promise<ActiveApiKey | undefined>;
  /** Throws ApiKeyNameTakenError when a key in use has the name. */
  create(key: { name: string; prefix: string; hash: Buffer; rateLimit: RateLimit }): Promise<ApiKeyRecord>;
  /** Every key, revoked ones included, oldest first. */
  list(): Promise<ApiKeyRecord[]>;
  /**
   * Revokes the key with this id, or the key in use with this name; returns it as it is now (revokedAt
   * set, the earlier time when it was revoked already), or undefined when there is no such key.
   */
  revoke(key: { id: string } | { name: string }): Promise<ApiKeyRecord | undefined>;
}
