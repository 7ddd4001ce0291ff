/** The Kinesis headers envelope (src/adapters/transport/kinesis/envelope.ts): written, read, and refused. */
import { describe, expect, it } from 'vitest';
import { decodeKinesisData, encodeKinesisData } from '../../../src/adapters/transport/kinesis/envelope.ts';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();
const play = '{"event_id":"8a6e0804-2bd0-4672-b79d-d97027f9071b","user_id":"u1"}';

describe('the Kinesis headers envelope', () => {
  it('wraps a value with headers, and leaves a value without headers as it is', () => {
    const headers = { 'ingest-request-id': 'JpQ3ZgWBoAMEVMA=' };
    expect(JSON.parse(text(encodeKinesisData(play, headers)))).toEqual({ headers, value: play });
    expect(text(encodeKinesisData(play, headers)).startsWith('{"headers":')).toBe(true);
    expect(text(encodeKinesisData(play, undefined))).toBe(play);
    expect(text(encodeKinesisData(Buffer.from(play), {}))).toBe(play);
  });

  it('reads back what it wrote: text, bytes that are not UTF-8 (as base64), and bare plays of before', () => {
    const headers = { 'ingest-request-id': 'r-1', 'x-attempts': '2' };
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
    expect(JSON.parse(text(encodeKinesisData(binary, headers)))).toEqual({
      headers,
      value_base64: binary.toString('base64'),
    });
    for (const [value, sent] of [
      [play, headers],
      [binary, headers],
      ['olé ☃', headers],
      [play, undefined],
    ] as const) {
      const decoded = decodeKinesisData(encodeKinesisData(value, sent));
      expect(decoded).toEqual({ value: Buffer.from(value), headers: sent ?? {} });
    }
    // A value without headers that starts as an envelope would is wrapped, so that it reads back as itself.
    const lookalike = '{"headers":"not mine"}';
    expect(decodeKinesisData(encodeKinesisData(lookalike, undefined))).toEqual({
      value: Buffer.from(lookalike),
      headers: {},
    });
  });

  it('takes data that does not start as an envelope as a bare value, whatever it holds', () => {
    for (const data of [play, 'not json', '', ' {"headers":{},"value":"x"}', '{"value":"x","headers":{}}']) {
      expect(decodeKinesisData(Buffer.from(data))).toEqual({ value: Buffer.from(data), headers: {} });
    }
  });

  it('calls malformed, with the reason and the data as it came, what starts as an envelope but is not one', () => {
    const cases: [string | Buffer, string][] = [
      [
        Buffer.concat([Buffer.from('{"headers":{},"value":"'), Buffer.from([0xff]), Buffer.from('"}')]),
        'not UTF-8 text',
      ],
      ['{"headers":{},"value":"{\\"event_id', 'not valid JSON'],
      ['{"headers":{}}[]', 'not valid JSON'],
      ['{"headers":{},"value":"x","extra":1}', 'unknown member "extra"'],
      ['{"headers":[],"value":"x"}', '"headers" is not an object'],
      ['{"headers":null,"value":"x"}', '"headers" is not an object'],
      ['{"headers":{"ingest-request-id":42},"value":"x"}', 'header "ingest-request-id" is not a string'],
      ['{"headers":{}}', 'it needs exactly one of "value" and "value_base64"'],
      [
        '{"headers":{},"value":"x","value_base64":"eA=="}',
        'it needs exactly one of "value" and "value_base64"',
      ],
      ['{"headers":{},"value":{"event_id":"x"}}', '"value" is not a string'],
      ['{"headers":{},"value_base64":"not base64!"}', '"value_base64" is not base64'],
      ['{"headers":{},"value_base64":7}', '"value_base64" is not base64'],
    ];
    for (const [data, reason] of cases) {
      const bytes = Buffer.from(data);
      const decoded = decodeKinesisData(bytes);
      const expected = `malformed Kinesis envelope: ${reason}`;
      expect(decoded.malformed?.slice(0, expected.length)).toBe(expected);
      expect(decoded.value).toBe(bytes);
      expect(decoded.headers).toEqual({});
    }
  });
});
