import { z } from 'zod';

// The deployed site's Content-Security-Policy forbids eval (lib/constructs/dashboard-site.ts). Zod probes
// for it with `new Function('')` when it builds its first object schema, which the browser reports as a
// CSP violation; its eval-free path parses the same. main.tsx imports this first, before any schema.
z.config({ jitless: true });
