import { fileURLToPath } from 'node:url';

/** The repository root: topology entries, package.json and package-lock.json are relative to it. */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));
