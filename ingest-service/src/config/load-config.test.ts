import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 8080, HOST: '127.0.0.1', SEXTANT_DATA_DIR: './data', LOG_LEVEL: 'info', SEXTANT_TRUST_PROXY: false, SEXTANT_ANONYMIZE_IP: false });
    expect(c.SEXTANT_WRITE_KEY).toBeUndefined();
    expect(c.CLICKHOUSE_URL).toBeUndefined();
  });

  it('parses values and treats empty strings as unset', () => {
    const c = loadConfig({ PORT: '9000', SEXTANT_TRUST_PROXY: '2', SEXTANT_ANONYMIZE_IP: 'true', CLICKHOUSE_URL: '', SEXTANT_CORS_ORIGINS: 'https://a.example' });
    expect(c).toMatchObject({ PORT: 9000, SEXTANT_TRUST_PROXY: 2, SEXTANT_ANONYMIZE_IP: true, SEXTANT_CORS_ORIGINS: 'https://a.example' });
    expect(c.CLICKHOUSE_URL).toBeUndefined();
    expect(loadConfig({ SEXTANT_TRUST_PROXY: '10.0.0.1, 10.0.0.2' }).SEXTANT_TRUST_PROXY).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it.each([
    [{ PORT: '99999' }, 'PORT must be at most 65535, got "99999"'],
    [{ PORT: 'eighty' }, 'PORT must be a number'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ SEXTANT_WRITE_KEY: 'short' }, 'SEXTANT_WRITE_KEY must be 8-128'],
    [{ SEXTANT_JWT_SECRET: 'tooshort' }, 'SEXTANT_JWT_SECRET must be at least 32 characters'],
    [{ CLICKHOUSE_URL: 'not a url' }, 'CLICKHOUSE_URL must be a URL'],
    [{ SEXTANT_ANONYMIZE_IP: 'maybe' }, 'SEXTANT_ANONYMIZE_IP must be true or false'],
  ])('rejects %o with a helpful message', (env, expected) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(expected);
  });

  it('never echoes secrets in its messages', () => {
    expect(() => loadConfig({ SEXTANT_JWT_SECRET: 'hunter2' })).toThrow(/SEXTANT_JWT_SECRET .*<hidden>/);
    expect(() => loadConfig({ SEXTANT_JWT_SECRET: 'hunter2' })).not.toThrow(/hunter2/);
  });
});
