import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packageInfo } from './index.js';

describe('@sextant/segment-engine', () => {
  it('is built by tsup and exports its package info', async () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    expect(existsSync(dist)).toBe(true);
    const built = (await import(dist)) as { packageInfo: typeof packageInfo };
    expect(built.packageInfo).toEqual(packageInfo);
  });
});
