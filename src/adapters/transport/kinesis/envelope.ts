/**
 * How a record's headers travel on Kinesis, whose records have none: the record's data is then the JSON envelope
 * `{"headers": {"<name>": "<value>", …}, "value": "<the value as text>"}`, or `"value_base64"` instead of
 * `"value"` for a value that is not UTF-8. A record without headers is its value alone ("bare"), as every play was
 * before plays carried their ingest request id; both are read.
 *
 * The one definition of the format (docs/contracts.md, "Kinesis records"): the publisher writes it, and every
 * reader of a stream decodes with `decodeKinesisData` (the local consumer, Lambda's Kinesis event source, any
 * other consumer of the stream), so all of them see the same value and headers.
 */

/** An envelope starts with these bytes (JSON.stringify puts `headers` first); a bare play starts `{"event_id"`. */
const ENVELOPE_START = Buffer.from('{"headers":');
const ENVELOPE_KEYS = new Set(['headers', 'value', 'value_base64']);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export type DecodedKinesisData =
  | {
      readonly value: Uint8Array;
      readonly headers: Readonly<Record<string, string>>;
      readonly malformed?: undefined;
    }
  | {
      /** The record's data exactly as it came: a reject keeps these bytes. */
      readonly value: Uint8Array;
      readonly headers: Readonly<Record<string, never>>;
      /** Why it is not an envelope although it starts as one. */
      readonly malformed: string;
    };

/**
 * The record data for `value` with `headers`: the envelope, or the value alone when there are no headers (unless
 * the value itself starts as an envelope would: it is wrapped then, so that it reads back as itself).
 */
export function encodeKinesisData(
  value: Uint8Array | string,
  headers: Readonly<Record<string, string>> | undefined,
): Uint8Array {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  if ((!headers || Object.keys(headers).length === 0) && !startsWith(bytes, ENVELOPE_START)) return bytes;
  const text = typeof value === 'string' ? value : utf8(value);
  const envelope =
    text === undefined
      ? { headers: headers ?? {}, value_base64: Buffer.from(bytes).toString('base64') }
      : { headers: headers ?? {}, value: text };
  return Buffer.from(JSON.stringify(envelope));
}

/**
 * A record's value and headers from its data: an envelope unwrapped, anything else as it is with no headers. Data
 * that starts as an envelope but is not a whole, well-formed one is `malformed` (with the reason), never thrown.
 */
export function decodeKinesisData(data: Uint8Array): DecodedKinesisData {
  if (!startsWith(data, ENVELOPE_START)) return { value: data, headers: {} };
  const malformed = (reason: string) => ({
    value: data,
    headers: {},
    malformed: `malformed Kinesis envelope: ${reason}`,
  });
  const text = utf8(data);
  if (text === undefined) return malformed('not UTF-8 text');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return malformed(`not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return malformed('not a JSON object');
  }
  const envelope = parsed as Record<string, unknown>;
  const unknown = Object.keys(envelope).filter((key) => !ENVELOPE_KEYS.has(key));
  if (unknown.length > 0) return malformed(`unknown member ${unknown.map((key) => `"${key}"`).join(', ')}`);
  const { headers, value, value_base64: base64 } = envelope;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    return malformed('"headers" is not an object');
  }
  const notText = Object.entries(headers).find(([, header]) => typeof header !== 'string');
  if (notText) return malformed(`header "${notText[0]}" is not a string`);
  if ((value === undefined) === (base64 === undefined)) {
    return malformed('it needs exactly one of "value" and "value_base64"');
  }
  if (value !== undefined) {
    if (typeof value !== 'string') return malformed('"value" is not a string');
    return { value: Buffer.from(value), headers: headers as Record<string, string> };
  }
  if (typeof base64 !== 'string' || !BASE64.test(base64)) return malformed('"value_base64" is not base64');
  return { value: Buffer.from(base64, 'base64'), headers: headers as Record<string, string> };
}

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  if (data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
