/**
 * Generated hostile HTTP requests (fast-check arbitraries) and what the HTTP contract promises for each:
 * odd methods, paths in odd encodings, any Host, odd, repeated and oversized headers, content types, and
 * bodies that are truncated, of the wrong types, with huge numbers and control characters, or a mixture of
 * valid and invalid play events. A request is described as data (a RequestSpec), then rendered to bytes.
 */
import fc from 'fast-check';
import { playsHeaders } from '../../devkit/post-plays.ts';
import { rawRequest } from './raw-http.ts';

const REGIONS = ['us', 'gb', 'de', 'fr', 'br', 'mx', 'jp', 'in'];
const MiB = 1024 * 1024;

/** A play event as the contract accepts it; its event_id is given when the request is rendered. */
type ValidEvent = Record<string, unknown>;

/** An event made invalid in one field, which the answer must name. */
interface InvalidEvent {
  readonly field: string;
  readonly event: unknown;
}

type Entry = { readonly valid: ValidEvent } | { readonly invalid: InvalidEvent };

type BodySpec =
  | { readonly kind: 'events'; readonly single: boolean; readonly entries: readonly Entry[] }
  | { readonly kind: 'truncated'; readonly entries: readonly Entry[]; readonly keep: number }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'oversized' };

/**
 * How the body is delimited: as it should be (length, chunked), not at all, shorter than sent, announced over
 * the limit, twice, or announced longer than sent (the request then stalls until the server's timeout).
 */
type Framing =
  | 'length'
  | 'chunked'
  | 'none'
  | 'short-length'
  | 'announce-huge'
  | 'duplicate-length'
  | 'stall';

export interface RequestSpec {
  readonly method: string;
  readonly target: string;
  readonly version: string;
  /** Host header values, in order (none, one, or repeated). */
  readonly hosts: readonly string[];
  readonly contentType: string | null;
  readonly headers: readonly (readonly [string, string])[];
  /** Headers no parser must be made to accept (oversized, malformed): the request may be refused whole. */
  readonly hostileHeaders: readonly (readonly [string, string])[];
  readonly body: BodySpec;
  readonly framing: Framing;
}

export interface RenderedRequest {
  readonly spec: RequestSpec;
  readonly bytes: readonly Buffer[];
  readonly head: boolean;
  /** The valid events of an event body, by event_id; empty for other bodies. */
  readonly validIds: readonly string[];
  /** Index → the field its invalid event must be rejected for. */
  readonly invalidFields: ReadonlyMap<number, string>;
  /** Whether the body holds the events as sent (not truncated, not replaced). */
  readonly eventsIntact: boolean;
  /** A well-formed ingest request: the answer must be 202 (some event valid) or 400 (none), naming fields. */
  readonly cleanIngest: boolean;
  /** Declared as anything but JSON (or not at all): ingest must never take it. */
  readonly notDeclaredJson: boolean;
}

const identifier = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_.:-]{1,40}$/),
  fc.constantFrom('ユーザー-1', 'song-😀', 'Zoë', 'user with spaces', '  padded\t', 'a'.repeat(64)),
);

const validEvent: fc.Arbitrary<ValidEvent> = fc
  .record(
    {
      user_id: identifier,
      song_id: identifier,
      region: fc.constantFrom(...REGIONS),
      agoMs: fc.integer({ min: 0, max: 50 * 60_000 }),
      ms_played: fc.integer({ min: 0, max: 24 * 3_600_000 }),
      device: identifier,
      session_id: identifier,
      extra: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: ['user_id', 'song_id', 'region', 'agoMs', 'ms_played'] },
  )
  .map(({ agoMs, extra, ...fields }) => ({
    ...fields,
    played_at: new Date(Date.now() - agoMs).toISOString(),
    ...(extra === undefined ? {} : { unknown_field: extra }),
  }));

/** Control characters that trim() keeps: NUL, BEL, ESC, unit separator, DEL, NEL, CSI. */
const control = fc.constantFrom('\u0000', '\u0007', '\u001b', '\u001f', '\u007f', '\u0085', '\u009b');
const wrongType = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.nat(), { maxLength: 2 }),
  fc.constant({}),
);
/** Placeholders for number literals JSON.stringify cannot write; rendered in place (see render()). */
const HUGE_NUMBERS = ['1e400', '-1e400', '9007199254740993', '1e20', '123456789012345678901234567890'];

const identifierFields = ['user_id', 'song_id', 'device', 'session_id'] as const;

const invalidEvent: fc.Arbitrary<InvalidEvent> = fc
  .oneof(
    fc
      .record({
        field: fc.constantFrom(...identifierFields),
        base: fc.constantFrom('user-1', 'x', 'song'),
        at: fc.nat(),
        char: control,
      })
      .map(({ field, base, at, char }) => {
        const position = at % (base.length + 1);
        return { field, value: base.slice(0, position) + char + base.slice(position) };
      }),
    fc.record({
      field: fc.constantFrom(...identifierFields),
      value: fc.oneof(fc.constantFrom('', '   ', '\u2003', 'x'.repeat(200)), wrongType),
    }),
    fc.record({
      field: fc.constant('event_id'),
      value: fc.oneof(fc.constantFrom('not-a-uuid', ''), wrongType),
    }),
    fc.record({
      field: fc.constant('region'),
      value: fc.oneof(fc.constantFrom('atlantis', '', 'US', 'global'), wrongType),
    }),
    fc.record({
      field: fc.constant('played_at'),
      value: fc.oneof(
        fc.constantFrom('yesterday', '2026-13-01T00:00:00Z', '2026-11-01T10:00:00', '1970-01-01T00:00:00Z'),
        fc.constant(new Date(Date.now() + 86_400_000).toISOString()),
        wrongType,
      ),
    }),
    fc.record({
      field: fc.constant('ms_played'),
      value: fc.oneof(
        fc.constantFrom(-1, 1.5, '30000', 86_400_001),
        fc.constantFrom(...HUGE_NUMBERS.map((n) => `#${n}#`)),
      ),
    }),
    fc.record({ field: fc.constant('missing'), value: fc.constantFrom('event_id', 'song_id', 'ms_played') }),
  )
  .chain(({ field, value }) =>
    validEvent.map((event): InvalidEvent => {
      if (field === 'missing') {
        const { [value as string]: _dropped, ...rest } = event;
        return { field: value as string, event: rest };
      }
      return { field, event: { ...event, [field]: value } };
    }),
  );

const notAnEvent: fc.Arbitrary<InvalidEvent> = fc
  .oneof(fc.integer(), fc.constant(null), fc.string({ maxLength: 5 }), fc.array(fc.nat(), { maxLength: 2 }))
  .map((event) => ({ field: '(event)', event }));

const entries = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: validEvent.map((valid): Entry => ({ valid })) },
    { weight: 2, arbitrary: invalidEvent.map((invalid): Entry => ({ invalid })) },
    { weight: 1, arbitrary: notAnEvent.map((invalid): Entry => ({ invalid })) },
  ),
  { minLength: 1, maxLength: 12 },
);

const body: fc.Arbitrary<BodySpec> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({ kind: fc.constant('events' as const), single: fc.boolean(), entries }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('truncated' as const),
      entries,
      keep: fc.double({ min: 0, max: 0.99, noNaN: true }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('text' as const),
      text: fc.oneof(
        fc.constantFrom(
          '',
          'null',
          '[]',
          '42',
          '"x"',
          '{"events": 5}',
          '{"events": []}',
          '{',
          '1e400',
          '\u0000',
          '{"events": [1e400]}',
        ),
        fc.string({ maxLength: 40, unit: 'binary' }),
        fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? ''),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'oversized' as const }) },
);

const goodContentTypes = [
  'application/json',
  'application/json; charset=utf-8',
  'Application/JSON;charset="UTF-8"',
];
const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...goodContentTypes) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      'application/json;',
      'application/jsonx',
      '',
      '%',
      'application/json, text/plain',
    ),
  },
  { weight: 1, arbitrary: fc.constant(null) },
);

const hosts = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .constantFrom('', 'localhost:99999', '[::', '%', 'localhost', '127.0.0.1:1', 'a..b', 'x'.repeat(300))
      .map((host) => [host]),
  },
  { weight: 1, arbitrary: fc.constant([]) },
  { weight: 1, arbitrary: fc.constant(['localhost', '[::']) },
  {
    weight: 1,
    arbitrary: fc
      .string({ maxLength: 20, unit: 'grapheme-ascii' })
      .map((host) => [host.replace(/\p{Cc}/gu, '')]),
  },
);

const headerName = fc.stringMatching(/^x-[a-z0-9-]{1,20}$/);
/** Headers a parser accepts, however odd: any server must cope. */
const benignHeader = fc.oneof(
  fc.tuple(
    headerName,
    fc.string({ maxLength: 60, unit: 'grapheme-ascii' }).map((value) => value.replace(/\p{Cc}/gu, '')),
  ),
  fc.tuple(
    fc.constant('origin'),
    fc.constantFrom('https://evil.example', 'null', 'http://localhost:3000', '%', ''),
  ),
  fc.tuple(fc.constant('access-control-request-method'), fc.constantFrom('POST', 'GET', 'DELETE', '')),
  fc.tuple(fc.constant('user-agent'), fc.constantFrom('\u00ff\u00fe odd latin1', 'curl/8', '')),
  fc.tuple(fc.constant('cookie'), fc.constantFrom('a=1; b=2', '=;;', '')),
  fc.tuple(fc.constant('accept'), fc.constantFrom('*/*', 'application/json', 'text/html;q=0.1')),
  fc.tuple(fc.constant('if-none-match'), fc.constantFrom('*', '"x"', 'W/"1", "2"', '')),
  fc.tuple(fc.constant('expect'), fc.constant('100-continue')),
  fc.tuple(fc.constant('connection'), fc.constantFrom('keep-alive', 'close')),
  fc.tuple(fc.constant('x-forwarded-for'), fc.constantFrom('1.2.3.4', 'garbage, ::1', '')),
  fc.tuple(fc.constant('authorization'), fc.constantFrom('Bearer x', 'Basic !!!', '')),
);
type Headers = (readonly [string, string])[];
/** Headers that may make the parser refuse the request outright (it must still answer JSON). */
const hostileHeaders: fc.Arbitrary<Headers> = fc.oneof(
  fc.integer({ min: 17 * 1024, max: 80 * 1024 }).map((size): Headers => [['x-padding', 'p'.repeat(size)]]),
  fc.constantFrom('\u0001', 'a\u0000b', '\u007f').map((value): Headers => [['x-control', value]]),
  fc.constant<Headers>([['bad header', 'x']]),
  fc
    .constantFrom('gzip', 'chunked, gzip', 'identity')
    .map((value): Headers => [['transfer-encoding', value]]),
  fc
    .constantFrom('-1', 'abc', '1, 2', '99999999999999999999')
    .map((value): Headers => [['content-length', value]]),
  fc.constant<Headers>([
    ['connection', 'upgrade'],
    ['upgrade', 'websocket'],
  ]),
  fc.constant<Headers>(
    Array.from({ length: 300 }, (_, index) => [`x-many-${index}`, String(index)] as const),
  ),
);

const routePath = fc.constantFrom(
  '/v1/plays',
  '/v1/charts',
  '/v1/regions',
  '/v1/charts/windows',
  '/v1/charts/windows?region=us&period=hour&limit=x',
  '/v1/songs/song-000001',
  '/v1/songs/%zz',
  '/v1/songs/%00',
  '/v1/songs/a%2Fb',
);
const oddPath = fc.oneof(
  fc.constantFrom(
    '/',
    '/index.html',
    '/%zz',
    '/%',
    '/%ff%fe',
    '/%E0%A4%A',
    '/%00',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/../../etc/passwd',
    '//v1/plays',
    '/v1/plays/',
    '/V1/PLAYS',
    '/v1/plays;x',
    '/v1/plays%20',
    '/v1/nope',
    '/v1/',
    '/assets/x.js',
    '*',
    'http://[::/v1/regions',
    'http://localhost:99999/v1/regions',
    'v1/plays',
    '/\u00e9',
    '/a b',
  ),
  fc.stringMatching(/^\/[A-Za-z0-9%._~!$&'()*+,;=:@/-]{0,30}$/),
);
const chartQuery = fc
  .record({
    region: fc.constantFrom('us', 'global', 'xx', '', '%00', '%zz', 'us&region=gb', '\u00e9'),
    period: fc.constantFrom('hour', 'day', 'week', '', '%ff'),
    start: fc.option(
      fc.constantFrom('2026-11-27T10:00:00Z', 'yesterday', '%', '9999-99-99', new Date(0).toISOString()),
    ),
  })
  .map(
    ({ region, period, start }) =>
      `?region=${region}&period=${period}${start === null ? '' : `&start=${start}`}`,
  );
const target = fc.oneof(
  { weight: 6, arbitrary: routePath },
  { weight: 2, arbitrary: chartQuery.map((query) => `/v1/charts${query}`) },
  { weight: 3, arbitrary: oddPath },
);

/** Bodies delimited as they should be, but for 1 in `odds` framed oddly (and a tenth of those stalling). */
const framing = (odds: number) =>
  fc.oneof(
    { weight: odds * 10, arbitrary: fc.constantFrom<Framing>('length', 'chunked') },
    {
      weight: 10,
      arbitrary: fc.constantFrom<Framing>('none', 'short-length', 'announce-huge', 'duplicate-length'),
    },
    { weight: 1, arbitrary: fc.constant<Framing>('stall') },
  );

/** No hostile header, but for 1 request in `odds + 1`. */
const rarelyHostileHeaders = (odds: number) =>
  fc.oneof({ weight: odds, arbitrary: fc.constant<Headers>([]) }, { weight: 1, arbitrary: hostileHeaders });

const anyRequest: fc.Arbitrary<RequestSpec> = fc.record({
  method: fc.oneof(
    { weight: 4, arbitrary: fc.constant('POST') },
    { weight: 4, arbitrary: fc.constantFrom('GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH') },
    { weight: 1, arbitrary: fc.constantFrom('get', 'BREW', 'CONNECT', 'TRACE', 'P OST', '') },
  ),
  target,
  version: fc.oneof(
    { weight: 12, arbitrary: fc.constant('HTTP/1.1') },
    { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', '') },
  ),
  hosts,
  contentType,
  headers: fc.array(benignHeader, { maxLength: 5 }),
  hostileHeaders: rarelyHostileHeaders(8),
  body,
  framing: framing(10),
});

/** A POST /v1/plays that is mostly well-formed, odd in a way or two: most reach the use case. */
const ingestRequest: fc.Arbitrary<RequestSpec> = fc
  .record({
    target: fc.oneof(
      { weight: 12, arbitrary: fc.constant('/v1/plays') },
      { weight: 1, arbitrary: fc.constantFrom('/v1/plays?x=%zz', 'http://[::/v1/plays', '/v1/./plays') },
    ),
    hosts,
    contentType: fc.oneof(
      { weight: 10, arbitrary: fc.constantFrom(...goodContentTypes) },
      { weight: 1, arbitrary: contentType },
    ),
    headers: fc.array(benignHeader, { maxLength: 3 }),
    hostileHeaders: rarelyHostileHeaders(20),
    body,
    framing: framing(30),
  })
  .map((fields): RequestSpec => ({ method: 'POST', version: 'HTTP/1.1', ...fields }));

export const requestSpec: fc.Arbitrary<RequestSpec> = fc.oneof(
  { weight: 2, arbitrary: ingestRequest },
  { weight: 1, arbitrary: anyRequest },
);

/** Renders a spec to bytes, giving each valid event a fresh event_id from `nextEventId`. */
export function render(spec: RequestSpec, nextEventId: () => string, apiKey: string): RenderedRequest {
  const validIds: string[] = [];
  const invalidFields = new Map<number, string>();
  let text: string;
  let eventsIntact = false;
  if (spec.body.kind === 'events' || spec.body.kind === 'truncated') {
    const events = spec.body.entries.map((entry, index) => {
      if ('valid' in entry) {
        const event_id = nextEventId();
        if (spec.body.kind === 'events') validIds.push(event_id);
        return { event_id, ...entry.valid };
      }
      const { field, event } = entry.invalid;
      if (spec.body.kind === 'events') invalidFields.set(index, field);
      // An id of its own, unless the id is what is wrong with it (or it is not an object at all).
      const isObject = typeof event === 'object' && event !== null && !Array.isArray(event);
      return isObject && field !== 'event_id' ? { event_id: nextEventId(), ...event } : event;
    });
    // A lone event is sent bare only when it is an object: a bare 0 or [] is not an event body at all.
    const lone = events[0];
    const single =
      spec.body.kind === 'events' &&
      spec.body.single &&
      events.length === 1 &&
      typeof lone === 'object' &&
      lone !== null &&
      !Array.isArray(lone);
    // Huge number literals travel as "#1e400#" strings until here: JSON.stringify cannot write them.
    const json = JSON.stringify(single ? events[0] : { events }).replace(/"#([-0-9e.]+)#"/g, '$1');
    text = spec.body.kind === 'truncated' ? json.slice(0, Math.floor(json.length * spec.body.keep)) : json;
    eventsIntact = spec.body.kind === 'events';
  } else if (spec.body.kind === 'text') text = spec.body.text;
  else text = `{"events": [], "padding": "${'x'.repeat(MiB + 1024)}"}`;
  const body = Buffer.from(text);

  const headers: (readonly [string, string])[] = spec.hosts.map((host) => ['host', host] as const);
  if (spec.contentType !== null) headers.push(['content-type', spec.contentType]);
  // What every test's POST /v1/plays carries besides its content type (which is fuzzed here): the API key.
  for (const [name, value] of Object.entries(playsHeaders(apiKey))) {
    if (name !== 'content-type') headers.push([name, value]);
  }
  headers.push(...spec.headers, ...spec.hostileHeaders);
  const chunks: Buffer[] = [];
  switch (spec.framing) {
    case 'length':
      headers.push(['content-length', String(body.length)]);
      chunks.push(body);
      break;
    case 'chunked': {
      headers.push(['transfer-encoding', 'chunked']);
      const middle = Math.floor(body.length / 2);
      for (const part of [body.subarray(0, middle), body.subarray(middle)]) {
        if (part.length > 0)
          chunks.push(Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n'));
      }
      chunks.push(Buffer.from('0\r\n\r\n'));
      break;
    }
    case 'none':
      chunks.push(body);
      break;
    case 'short-length':
      headers.push(['content-length', String(Math.floor(body.length / 2))]);
      chunks.push(body);
      break;
    case 'announce-huge':
      headers.push(['content-length', String(2 * MiB + body.length)]);
      chunks.push(body);
      break;
    case 'stall':
      headers.push(['content-length', String(body.length + 10)]);
      chunks.push(body);
      break;
    case 'duplicate-length':
      headers.push(['content-length', String(body.length)], ['content-length', String(body.length + 1)]);
      chunks.push(body);
      break;
  }
  const cleanIngest =
    spec.method === 'POST' &&
    spec.target === '/v1/plays' &&
    spec.version === 'HTTP/1.1' &&
    spec.contentType !== null &&
    goodContentTypes.includes(spec.contentType) &&
    spec.hostileHeaders.length === 0 &&
    (spec.framing === 'length' || spec.framing === 'chunked') &&
    eventsIntact;
  const requestLine = `${spec.method} ${spec.target} ${spec.version}`.trimEnd();
  return {
    spec,
    bytes: [rawRequest(requestLine, headers), ...chunks],
    head: spec.method === 'HEAD',
    validIds,
    invalidFields,
    eventsIntact,
    cleanIngest,
    notDeclaredJson: spec.contentType === null || !/^\s*application\/json\s*(;|$)/i.test(spec.contentType),
  };
}
