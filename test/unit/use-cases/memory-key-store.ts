import {
  ApiKeyNameTakenError,
  type ApiKeyRecord,
  type ApiKeyStore,
} from '../../../src/ports/api-key-store.ts';

interface Stored extends ApiKeyRecord {
  readonly hash: Buffer;
}

/** An in-memory ApiKeyStore for use-case tests; `lookups` counts what findActive was asked. */
export function memoryKeyStore() {
  const keys: Stored[] = [];
  let lookups = 0;
  const store: ApiKeyStore & { readonly keys: Stored[]; lookups(): number } = {
    keys,
    lookups: () => lookups,
    findActive: async (hash) => {
      lookups += 1;
      const found = keys.find((key) => key.hash.equals(hash) && !key.revokedAt);
      return found && { id: found.id, name: found.name, rateLimit: found.rateLimit };
    },
    create: async (key) => {
      if (keys.some((stored) => stored.name === key.name && !stored.revokedAt)) {
        throw new ApiKeyNameTakenError(`a key in use is already named "${key.name}"`);
      }
      const record = {
        id: String(keys.length + 1),
        name: key.name,
        prefix: key.prefix,
        hash: key.hash,
        rateLimit: key.rateLimit,
        createdAt: new Date(),
        revokedAt: undefined,
        lastUsedAt: undefined,
      };
      keys.push(record);
      return record;
    },
    list: async () => [...keys],
    revoke: async (reference) => {
      const index = keys.findIndex((key) =>
        'id' in reference ? key.id === reference.id : key.name === reference.name && !key.revokedAt,
      );
      if (index < 0) return undefined;
      keys[index] = { ...keys[index]!, revokedAt: keys[index]!.revokedAt ?? new Date() };
      return keys[index];
    },
  };
  return store;
}
