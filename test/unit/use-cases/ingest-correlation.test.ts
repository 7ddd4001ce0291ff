/** Ingest puts the request's id on every event it hands on, on every transport (Kinesis: in the envelope). */
import { describe, expect, it } from 'vitest';
import { INGEST_REQUEST_ID_HEADER, ingestRequestIds } from '../../../src/domain/consumed-record.ts';
import type { OutgoingMessage } from '../../../src/ports/transport.ts';
import { ingestPlays } from '../../../src/use-cases/ingest-plays.ts';
import { ingestPlay, ingestPorts, ingestRequest } from './ingest-fixtures.ts';

async function publishedBy(requestId: string | undefined) {
  const published: OutgoingMessage[] = [];
  const result = await ingestPlays(
    ingestRequest([ingestPlay(1), ingestPlay(2)], requestId),
    ingestPorts({
      transport: { publish: async (_topic, messages) => void published.push(...messages) },
    }),
  );
  expect(result.statusCode).toBe(202);
  return published;
}

describe('the ingest request id on each event', () => {
  it('rides as the ingest-request-id header', async () => {
    const published = await publishedBy('req-1');
    expect(published.map((message) => message.headers)).toEqual([
      { 'ingest-request-id': 'req-1' },
      { 'ingest-request-id': 'req-1' },
    ]);
    expect(INGEST_REQUEST_ID_HEADER).toBe('ingest-request-id');
  });

  it('is left off when the request has no id', async () => {
    const published = await publishedBy(undefined);
    expect(published.map((message) => message.headers)).toEqual([undefined, undefined]);
  });

  it('lists a batch’s request ids once each, in the order met', () => {
    const record = (id?: string) => ({
      topic: 't',
      partition: 0,
      offset: 0,
      timestamp: 0,
      value: '',
      ...(id ? { headers: { [INGEST_REQUEST_ID_HEADER]: id } } : {}),
    });
    expect(ingestRequestIds([record('b'), record(), record('a'), record('b')])).toEqual(['b', 'a']);
  });
});
