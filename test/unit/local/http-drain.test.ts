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

  it('resolves only after the last of several requests in flight is answered, in whatever order', async () => {
    const drain = new RequestDrain();
    const releases = new Map<string, () => void>();
    let arrivedAll: () => void = () => {};
    const allArrived = new Promise<void>((resolve) => {
      arrivedAll = resolve;
    });
    const listening = createServer(
      drain.wrap((request, response) => {
        releases.set(request.url ?? '', () => response.end(request.url));
        if (releases.size === 3) arrivedAll();
      }),
    );
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    const answers = ['/a', '/b', '/c'].map((path) => fetch(`${url}${path}`).then((answer) => answer.text()));
    await allArrived;
    let drained = false;
    const draining = drain.drain().then(() => {
      drained = true;
    });
    // The middle one first, then the first: one is still in flight.
    for (const path of ['/b', '/a']) {
      releases.get(path)?.();
      expect(await answers[['/a', '/b', '/c'].indexOf(path)]).toBe(path);
    }
    expect(drained).toBe(false);
    releases.get('/c')?.();
    expect(await answers[2]).toBe('/c');
    await draining;
    expect(drained).toBe(true);
  });

  it('resolves at once when nothing is in flight', async () => {
    await expect(new RequestDrain().drain()).resolves.toBeUndefined();
  });
});
