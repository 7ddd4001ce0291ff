import { describe, expect, it } from 'vitest';
import { kafkaClusterId } from '../../../devkit/services/kafka.ts';

describe('kafkaClusterId', () => {
  it('is 16 bytes in URL-safe base64 without padding', () => {
    const id = kafkaClusterId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
  });

  it('never starts with "-", which kafka-storage would take for an option: it draws again', () => {
    // 0xf8 is 111110 in its first six bits: "-" in URL-safe base64.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x01)];
    expect(draws[0]!.toString('base64url').startsWith('-')).toBe(true);
    const id = kafkaClusterId(() => draws.shift()!);
    expect(id).toBe(Buffer.alloc(16, 0x01).toString('base64url'));
    expect(draws).toHaveLength(0);
  });
});
