import { describe, expect, it } from 'vitest';
import { StartupError, starting, startupFailure } from '../../../local/startup-failure.ts';
import { SettingsError } from '../../../src/config/settings.ts';

describe('startup failures', () => {
  it('name the service, say why in one line, and what to do', async () => {
    const failure = starting(
      'the lake (folder /x)',
      () => 'set LAKE_URI to another folder',
      async () => {
        throw new Error('EACCES: permission denied, mkdir /x\n    at a stack line');
      },
    );
    await expect(failure).rejects.toThrow(StartupError);
    await expect(failure).rejects.toThrow(
      /^Could not start the lake \(folder \/x\) \(EACCES: permission denied, mkdir \/x\); set LAKE_URI to another folder$/,
    );
  });

  it('pass the error to the advice, which can depend on it', async () => {
    const failure = starting(
      'the HTTP server on port 3000',
      (error) => (error.code === 'EADDRINUSE' ? 'port 3000 is in use' : 'something else'),
      async () => {
        throw Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
      },
    );
    await expect(failure).rejects.toThrow(/; port 3000 is in use$/);
  });

  it('keep an error that is already a sentence as it is', async () => {
    const settings = new SettingsError('Invalid settings: PORT: not a number');
    await expect(
      starting(
        'x',
        () => 'y',
        () => Promise.reject(settings),
      ),
    ).rejects.toBe(settings);
    expect(startupFailure(settings)).toBe('Invalid settings: PORT: not a number');
  });

  it('say what a connection error with several addresses was, and never print a stack', () => {
    const refused = new AggregateError([new Error('connect ECONNREFUSED ::1:5432')], '');
    expect(startupFailure(refused)).toBe('Could not start: connect ECONNREFUSED ::1:5432');
    expect(startupFailure(new Error('first line\nsecond line'))).toBe('Could not start: first line');
  });
});
