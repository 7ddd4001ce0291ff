import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RequestDrain } from '../../../local/http-drain.ts';

describe('stopping an HTTP server with RequestDrain', () => {
  let server: Server | undefined;

  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((closed) => server?.close(closed));
  });

  it('answers the request in flight, refuses new ones with 503 and Retry-After, and resolves once done', async () => {
    const drain = new RequestDrain();
    let release: () => void = () => {};
    let taken: () => void = () => {};
    const arrived = new Promise<void>((resolve) => {
      taken = resolve;
    });
    const listening = createServer(
      drain.wrap((_request, response) => {
        taken();
        // The request in flight finishes only when the test says so.
        new Promise<void>((go) => {
          release = go;
        }).then(() => response.end('done'));
      }),
    );
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;

    const inFlight = fetch(url, { method: 'POST', body: 'taken before the stop' });
    await arrived;
    let drained = false;
    const draining = drain.drain().then(() => {
      drained = true;
    });

    const refused = await fetch(url, { method: 'POST', body: 'arrives after the stop' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.headers.get('connection')).toBe('close');
    expect(await refused.json()).toEqual({
      message: expect.stringMatching(/nothing of this request was taken/),
    });
    expect(drained).toBe(false);

    release();
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(await answered.text()).toBe('done');
    // Its connection is not kept for more requests.
    expect(answered.headers.get('connection')).toBe('close');
    await draining;
    expect(drained).toBe(true);
  });

  it('resolves at once when nothing is in flight', async () => {
    await expect(new RequestDrain().drain()).resolves.toBeUndefined();
  });
});
