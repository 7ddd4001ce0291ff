/**
 * Which song source a generation gets: the chat model when a key is configured (the setting, or the secret a
 * deployed function reads), else the seeded generator with the reason; and the settings behind it.
 */
import { clearCaches } from '@aws-lambda-powertools/parameters';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenAiSecretError, openAiKeyFromSecret } from '../../../src/adapters/secrets/openai-key-secret.ts';
import { DEFAULT_OPENAI_MODEL, loadSettings } from '../../../src/config/settings.ts';
import { chooseSongSource } from '../../../src/wiring/song-source.ts';

const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:top-songs-openai-AbCdEf';
const clock = () => new Date('2026-04-01T00:00:00Z');
const secrets = mockClient(SecretsManagerClient);
beforeEach(() => {
  secrets.reset();
  clearCaches();
});
afterAll(() => secrets.restore());

describe('OPENAI_* settings', () => {
  it('default to no key, OpenAI itself, a small model and bounded retries', () => {
    expect(loadSettings({}).openAi).toEqual({
      apiKey: undefined,
      secretArn: undefined,
      baseUrl: undefined,
      model: DEFAULT_OPENAI_MODEL,
      maxRetries: 5,
      timeoutMs: 180_000,
    });
  });

  it('read a compatible server, a model, retries and a timeout; blank means unset', () => {
    const settings = loadSettings({
      OPENAI_API_KEY: '',
      OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
      OPENAI_MODEL: 'llama3.1',
      OPENAI_MAX_RETRIES: '0',
      OPENAI_TIMEOUT_MS: '5000',
    });
    expect(settings.openAi).toMatchObject({
      apiKey: undefined,
      baseUrl: 'http://127.0.0.1:11434/v1',
      model: 'llama3.1',
      maxRetries: 0,
      timeoutMs: 5000,
    });
  });

  it('refuse a base URL that is not http(s), and negative retries, naming the setting', () => {
    expect(() => loadSettings({ OPENAI_BASE_URL: 'localhost:11434' })).toThrow(
      /OPENAI_BASE_URL: an http\(s\) URL/,
    );
    expect(() => loadSettings({ OPENAI_MAX_RETRIES: '-1' })).toThrow(/OPENAI_MAX_RETRIES/);
  });
});

describe('openAiKeyFromSecret', () => {
  it('takes the key, and reads the empty placeholder as no key yet', () => {
    expect(openAiKeyFromSecret('{"api_key": "sk-live-123"}', arn)).toBe('sk-live-123');
    expect(openAiKeyFromSecret('{"api_key": ""}', arn)).toBeUndefined();
    expect(openAiKeyFromSecret('{"api_key": "  "}', arn)).toBeUndefined();
  });

  it.each([
    ['a bare key', 'sk-bare-XYZZY'],
    ['JSON without api_key', '{"key": "sk-QWERTY"}'],
  ])('refuses %s, says how to fill it in, and never echoes the value', (_, value) => {
    expect(() => openAiKeyFromSecret(value, arn)).toThrow(OpenAiSecretError);
    expect(() => openAiKeyFromSecret(value, arn)).toThrow(/put-secret-value .*\{"api_key":"sk-…"\}/);
    expect(() => openAiKeyFromSecret(value, arn)).toThrow(
      expect.objectContaining({ message: expect.not.stringMatching(/XYZZY|QWERTY/) }),
    );
  });
});

describe('chooseSongSource', () => {
  it('falls back to the seeded generator without a key, saying why', async () => {
    const choice = await chooseSongSource(loadSettings({}), { seed: 3, clock });
    expect(choice).toMatchObject({
      fallback: 'OPENAI_API_KEY is not set',
      source: { source: 'seeded', seed: 3 },
    });
  });

  it('asks the configured model with a key, or the one asked for; the seeded generator when told to', async () => {
    const settings = loadSettings({ OPENAI_API_KEY: 'sk-1', OPENAI_MODEL: 'm-default' });
    expect((await chooseSongSource(settings, { seed: 1, clock })).source).toMatchObject({
      source: 'openai',
      model: 'm-default',
    });
    expect((await chooseSongSource(settings, { seed: 1, clock, model: 'm-flag' })).source.model).toBe(
      'm-flag',
    );
    const seeded = await chooseSongSource(settings, { seed: 1, clock, seeded: true });
    expect(seeded).toMatchObject({ fallback: undefined, source: { source: 'seeded' } });
  });

  it('reads the key from the secret (deployed), and falls back while the secret is still empty', async () => {
    const settings = loadSettings({ OPENAI_SECRET_ARN: arn });
    secrets.on(GetSecretValueCommand, { SecretId: arn }).resolves({ SecretString: '{"api_key":""}' });
    const empty = await chooseSongSource(settings, { seed: 1, clock });
    expect(empty.source.source).toBe('seeded');
    expect(empty.fallback).toContain(`the OpenAI secret ${arn} holds no key yet`);

    clearCaches();
    secrets
      .on(GetSecretValueCommand, { SecretId: arn })
      .resolves({ SecretString: '{"api_key":"sk-filled"}' });
    expect((await chooseSongSource(settings, { seed: 1, clock })).source.source).toBe('openai');
  });
});
