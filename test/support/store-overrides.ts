import type { ObjectStore } from '../../src/ports/object-store.ts';

/**
 * `store` with some of its methods replaced and the rest passed on to it: a lake that fails, records or holds
 * some puts, or a crashed process's lake.
 */
export function withOverrides(store: ObjectStore, replaced: Partial<ObjectStore>): ObjectStore {
  return {
    put: (key, body, type) => store.put(key, body, type),
    get: (key) => store.get(key),
    delete: (key) => store.delete(key),
    list: (prefix) => store.list(prefix),
    listObjects: (prefix) => store.listObjects(prefix),
    localCopies: (keys, scratch) => store.localCopies(keys, scratch),
    describe: () => store.describe(),
    ...replaced,
  };
}
