import { describe, expect, it } from 'vitest';
import { facebookCustomAudience } from '../facebook-custom-audience/index.js';
import { openSettings, redactSettings, sealSettings, SecretBox } from './secret-box.js';

const key = 'a'.repeat(64);

describe('destination secrets at rest', () => {
  it('seals with AES-256-GCM and opens only with the same key and destination', () => {
    const box = new SecretBox(key);
    const sealed = box.seal('EAAB-token', 'dest-1');
    expect(sealed).not.toContain('EAAB-token');
    expect(box.open(sealed, 'dest-1')).toBe('EAAB-token');
    expect(() => box.open(sealed, 'dest-2')).toThrow(/could not be decrypted/);
    expect(() => new SecretBox('b'.repeat(64)).open(sealed, 'dest-1')).toThrow(/could not be decrypted/);
    expect(() => new SecretBox('short')).toThrow(/at least 32/);
  });

  it('stores settings with the token sealed, and redacts it for the API', () => {
    const box = new SecretBox('a passphrase that is long enough to use!!');
    const settings = { adAccountId: '1', accessToken: 'EAAB-secret', audienceName: 'x' };
    const stored = sealSettings(facebookCustomAudience, settings, box, 'd1');
    expect(JSON.stringify(stored)).not.toContain('EAAB-secret');
    expect(openSettings(stored, box, 'd1')).toEqual(settings);
    expect(redactSettings(facebookCustomAudience, settings)).toEqual({ adAccountId: '1', accessToken: '[redacted]', audienceName: 'x' });
  });
});
