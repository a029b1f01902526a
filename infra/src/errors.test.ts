import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEV_BROKER_ERROR_CODES } from './errors.js';

describe('DevBrokerError codes', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  it.each(DEV_BROKER_ERROR_CODES)('%s is documented in infra/README.md', (code) => {
    expect(readme).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|`));
  });
});
