import { describe, expect, it } from 'vitest';
import { databaseTimeoutWithin, publishTimeoutWithin } from '../../../src/config/service-timeouts.ts';
import { loadSettings, type Settings, SettingsError } from '../../../src/config/settings.ts';
import { functionNamed } from '../../../src/topology.ts';
import { connectionProbes } from '../../../src/wiring/connection-probes.ts';
import { createDependencies } from '../../../src/wiring/dependencies.ts';

const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_top-songs-AbCdEf';

describe('the Kafka authentication settings', () => {
  it('leave Kafka unauthenticated when KAFKA_SECRET_ARN is absent (local mode, PLAINTEXT)', () => {
    expect(loadSettings({ KAFKA_BROKERS: '127.0.0.1:9092' }).kafkaAuth).toBeUndefined();
    expect(loadSettings({ KAFKA_SECRET_ARN: '', KAFKA_AUTHENTICATION_METHOD: '' }).kafkaAuth).toBeUndefined();
  });

  it.each(['SASL_SCRAM_512_AUTH', 'SASL_SCRAM_256_AUTH', 'BASIC_AUTH'] as const)(
    'take %s with the secret that holds the credentials',
    (method) => {
      const settings = loadSettings({
        KAFKA_BROKERS: 'b-1.example:9096,b-2.example:9096',
        KAFKA_SECRET_ARN: arn,
        KAFKA_AUTHENTICATION_METHOD: method,
      });
      expect(settings.kafkaAuth).toEqual({ secretId: arn, method });
      expect(settings.kafkaBrokers).toEqual(['b-1.example:9096', 'b-2.example:9096']);
    },
  );

  it("default to SASL_SCRAM_512_AUTH, the stack's default, when only the secret is given", () => {
    expect(loadSettings({ KAFKA_SECRET_ARN: arn }).kafkaAuth).toEqual({
      secretId: arn,
      method: 'SASL_SCRAM_512_AUTH',
    });
    expect(loadSettings({ KAFKA_SECRET_ARN: arn, KAFKA_AUTHENTICATION_METHOD: '' }).kafkaAuth?.method).toBe(
      'SASL_SCRAM_512_AUTH',
    );
  });

  it.each(['CLIENT_CERTIFICATE_TLS_AUTH', 'sasl_scram_512_auth', 'SCRAM-SHA-512'])(
    'refuse the method %s, naming the allowed ones',
    (method) => {
      const load = () => loadSettings({ KAFKA_SECRET_ARN: arn, KAFKA_AUTHENTICATION_METHOD: method });
      expect(load).toThrow(SettingsError);
      expect(load).toThrow(
        `KAFKA_AUTHENTICATION_METHOD: "${method}" is not supported; expected one of SASL_SCRAM_512_AUTH, SASL_SCRAM_256_AUTH, BASIC_AUTH`,
      );
    },
  );

  it('refuse a method without the secret that holds its credentials', () => {
    expect(() => loadSettings({ KAFKA_AUTHENTICATION_METHOD: 'BASIC_AUTH' })).toThrow(
      /KAFKA_AUTHENTICATION_METHOD BASIC_AUTH needs KAFKA_SECRET_ARN/,
    );
  });
});

describe('the S3 addressing setting', () => {
  it('turns path-style on exactly when an S3 endpoint is set, unless S3_FORCE_PATH_STYLE says otherwise', () => {
    const pathStyle = (env: Record<string, string>) => loadSettings(env).aws.s3ForcePathStyle;
    expect(pathStyle({})).toBe(false);
    expect(pathStyle({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:7070' })).toBe(true);
    expect(pathStyle({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' })).toBe(true);
    expect(pathStyle({ AWS_ENDPOINT_URL_S3: 'https://s3.example.test', S3_FORCE_PATH_STYLE: 'false' })).toBe(
      false,
    );
    expect(pathStyle({ S3_FORCE_PATH_STYLE: 'true' })).toBe(true);
  });

  it('refuses anything but true or false, naming the setting', () => {
    expect(() => loadSettings({ S3_FORCE_PATH_STYLE: 'yes' })).toThrow(/S3_FORCE_PATH_STYLE/);
  });
});

describe('the Kafka publish timeout', () => {
  it('is unset unless KAFKA_PUBLISH_TIMEOUT_MS is given, and refuses a value that is not a positive integer', () => {
    expect(loadSettings({}).kafkaPublishTimeoutMs).toBeUndefined();
    expect(loadSettings({ KAFKA_PUBLISH_TIMEOUT_MS: '' }).kafkaPublishTimeoutMs).toBeUndefined();
    expect(loadSettings({ KAFKA_PUBLISH_TIMEOUT_MS: '2500' }).kafkaPublishTimeoutMs).toBe(2500);
    for (const bad of ['0', '-1', '1.5', 'soon']) {
      expect(() => loadSettings({ KAFKA_PUBLISH_TIMEOUT_MS: bad })).toThrow(/KAFKA_PUBLISH_TIMEOUT_MS/);
    }
  });

  it('leaves ingest time to answer 503 before its function times out: open and publish each fit, with 2 s to spare', () => {
    // Unset: the most that fits, (10 s − 2 s) / 2.
    expect(publishTimeoutWithin(10)).toBe(4000);
    expect(publishTimeoutWithin(30)).toBe(14_000);
    expect(publishTimeoutWithin(10, 1500)).toBe(1500);
    expect(publishTimeoutWithin(10, 4000)).toBe(4000);
    expect(() => publishTimeoutWithin(10, 4001)).toThrow(SettingsError);
    // The old setting: as long as the function itself, so a hung broker meant a Lambda timeout, not a 503.
    expect(() => publishTimeoutWithin(10, 10_000)).toThrow(
      /KAFKA_PUBLISH_TIMEOUT_MS 10000 does not fit ingest's timeout of 10 s.*at most 4000/,
    );
    expect(() => publishTimeoutWithin(2)).toThrow(/no time to publish/);
  });

  it("is checked with Kafka against the topology's ingest timeout at the composition root, which refuses one that does not fit", () => {
    const ingestTimeoutMs = functionNamed('ingest').timeoutSeconds * 1000;
    const kafka = { KAFKA_BROKERS: '127.0.0.1:9092' };
    expect(() =>
      createDependencies(loadSettings({ ...kafka, KAFKA_PUBLISH_TIMEOUT_MS: '1500' })),
    ).not.toThrow();
    expect(() =>
      createDependencies(loadSettings({ ...kafka, KAFKA_PUBLISH_TIMEOUT_MS: String(ingestTimeoutMs) })),
    ).toThrow(SettingsError);
    // Without Kafka the setting applies to nothing, and no function's start depends on it.
    expect(() =>
      createDependencies(loadSettings({ KAFKA_PUBLISH_TIMEOUT_MS: String(ingestTimeoutMs) })),
    ).not.toThrow();
  });
});

describe('the database timeout', () => {
  it('is unset unless DATABASE_TIMEOUT_MS is given, and refuses a value that is not a positive integer', () => {
    expect(loadSettings({}).databaseTimeoutMs).toBeUndefined();
    expect(loadSettings({ DATABASE_TIMEOUT_MS: '' }).databaseTimeoutMs).toBeUndefined();
    expect(loadSettings({ DATABASE_TIMEOUT_MS: '2500' }).databaseTimeoutMs).toBe(2500);
    for (const bad of ['0', '-1', '1.5', 'soon']) {
      expect(() => loadSettings({ DATABASE_TIMEOUT_MS: bad })).toThrow(/DATABASE_TIMEOUT_MS/);
    }
  });

  it('leaves the charts API time to answer 503 before its function times out, checked at the composition root', () => {
    // Unset: the most that fits the charts API's 10 s, (10 s − 2 s) / 2: opening and reading each fit.
    expect(databaseTimeoutWithin(10)).toBe(4000);
    expect(databaseTimeoutWithin(10, 1500)).toBe(1500);
    expect(() => databaseTimeoutWithin(10, 4001)).toThrow(
      /DATABASE_TIMEOUT_MS 4001 does not fit charts-api's timeout of 10 s.*at most 4000/,
    );
    const chartsApiTimeoutMs = functionNamed('charts-api').timeoutSeconds * 1000;
    expect(() =>
      createDependencies(loadSettings({ DATABASE_TIMEOUT_MS: String(chartsApiTimeoutMs) })),
    ).toThrow(SettingsError);
  });
});

describe('the local HTTP server settings', () => {
  it('listen on loopback only, with bounded waits and no cross-origin ingest, unless told otherwise', () => {
    expect(loadSettings({}).http).toEqual({
      host: '127.0.0.1',
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      ingestCorsOrigins: [],
    });
    expect(loadSettings({ HOST: '', INGEST_CORS_ORIGINS: '' }).http.host).toBe('127.0.0.1');
  });

  it('take HOST, the timeouts and the ingest origins from the environment', () => {
    const { http } = loadSettings({
      HOST: '0.0.0.0',
      HTTP_HEADERS_TIMEOUT_MS: '2000',
      HTTP_REQUEST_TIMEOUT_MS: '5000',
      INGEST_CORS_ORIGINS: 'https://app.example, http://localhost:5173',
    });
    expect(http).toEqual({
      host: '0.0.0.0',
      headersTimeoutMs: 2000,
      requestTimeoutMs: 5000,
      ingestCorsOrigins: ['https://app.example', 'http://localhost:5173'],
    });
    expect(loadSettings({ INGEST_CORS_ORIGINS: '*' }).http.ingestCorsOrigins).toEqual(['*']);
  });

  it.each([
    [
      { INGEST_CORS_ORIGINS: 'https://app.example/path' },
      /INGEST_CORS_ORIGINS.*scheme:\/\/host\[:port\] without a path/,
    ],
    [{ INGEST_CORS_ORIGINS: 'app.example' }, /INGEST_CORS_ORIGINS/],
    [{ HTTP_REQUEST_TIMEOUT_MS: '0' }, /HTTP_REQUEST_TIMEOUT_MS/],
    [{ HTTP_HEADERS_TIMEOUT_MS: 'soon' }, /HTTP_HEADERS_TIMEOUT_MS/],
    [
      { HTTP_HEADERS_TIMEOUT_MS: '40000' },
      /HTTP_HEADERS_TIMEOUT_MS 40000 exceeds HTTP_REQUEST_TIMEOUT_MS 30000/,
    ],
    [{ HOST: 'two words' }, /HOST/],
  ])('refuse %o, naming the setting', (env, message) => {
    expect(() => loadSettings(env)).toThrow(SettingsError);
    expect(() => loadSettings(env)).toThrow(message);
  });
});

describe('the connectivity check settings', () => {
  it('leave the OpenAI endpoint unset unless OPENAI_BASE_URL or OPENAI_API_KEY is given (blank is unset)', async () => {
    const openai = (env: Record<string, string>) => openAiProbeTarget(loadSettings(env));
    expect(await openai({})).toBeUndefined();
    expect(await openai({ OPENAI_BASE_URL: '', OPENAI_API_KEY: '' })).toBeUndefined();
  });

  it("take a key alone to mean OpenAI's own endpoint, and a base URL alone to mean a server without a key", async () => {
    expect(await openAiProbeTarget(loadSettings({ OPENAI_API_KEY: 'sk-test' }))).toBe(
      'https://api.openai.com/v1',
    );
    const local = loadSettings({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' });
    expect(await openAiProbeTarget(local)).toBe('http://127.0.0.1:11434/v1');
    expect(local.openAi.apiKey).toBeUndefined();
  });

  it('give each check 10 s unless DOCTOR_TIMEOUT_MS says otherwise', () => {
    expect(loadSettings({}).doctorTimeoutMs).toBe(10_000);
    expect(loadSettings({ DOCTOR_TIMEOUT_MS: '2500' }).doctorTimeoutMs).toBe(2500);
  });

  it.each([
    [{ OPENAI_BASE_URL: 'localhost:11434' }, /OPENAI_BASE_URL: an http\(s\) URL/],
    [{ OPENAI_BASE_URL: 'ftp://models.example/v1' }, /OPENAI_BASE_URL/],
    [{ DOCTOR_TIMEOUT_MS: '0' }, /DOCTOR_TIMEOUT_MS/],
  ])('refuse %o, naming the setting', (env, message) => {
    expect(() => loadSettings(env)).toThrow(message);
  });
});

/** The target of the doctor's OpenAI check, or undefined when it is not configured. */
async function openAiProbeTarget(settings: Settings): Promise<string | undefined> {
  const probe = (await connectionProbes(settings, 1000)).find((candidate) => candidate.service === 'openai');
  return probe && probe.target !== '-' ? probe.target : undefined;
}

describe('the pool report setting', () => {
  it('is off unless TOP_SONGS_POOL_REPORT_SECONDS is a positive number', () => {
    expect(loadSettings({}).poolReportSeconds).toBeUndefined();
    expect(loadSettings({ TOP_SONGS_POOL_REPORT_SECONDS: '' }).poolReportSeconds).toBeUndefined();
    expect(loadSettings({ TOP_SONGS_POOL_REPORT_SECONDS: '2' }).poolReportSeconds).toBe(2);
    expect(() => loadSettings({ TOP_SONGS_POOL_REPORT_SECONDS: '0' })).toThrow(
      /TOP_SONGS_POOL_REPORT_SECONDS/,
    );
  });
});

describe('the event-loop report setting', () => {
  it('is off unless TOP_SONGS_EVENT_LOOP_REPORT_SECONDS is a positive number, naming the setting otherwise', () => {
    expect(loadSettings({}).eventLoopReportSeconds).toBeUndefined();
    expect(loadSettings({ TOP_SONGS_EVENT_LOOP_REPORT_SECONDS: '' }).eventLoopReportSeconds).toBeUndefined();
    expect(loadSettings({ TOP_SONGS_EVENT_LOOP_REPORT_SECONDS: '10' }).eventLoopReportSeconds).toBe(10);
    expect(() => loadSettings({ TOP_SONGS_EVENT_LOOP_REPORT_SECONDS: '0' })).toThrow(
      /TOP_SONGS_EVENT_LOOP_REPORT_SECONDS/,
    );
  });
});

describe('the client API key setting', () => {
  it('is TOP_SONGS_API_KEY, unset when blank (the development key is used then)', () => {
    expect(loadSettings({}).clientApiKey).toBeUndefined();
    expect(loadSettings({ TOP_SONGS_API_KEY: '' }).clientApiKey).toBeUndefined();
    expect(loadSettings({ TOP_SONGS_API_KEY: 'tsk_env' }).clientApiKey).toBe('tsk_env');
  });
});
