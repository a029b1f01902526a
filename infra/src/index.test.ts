import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as source from './index.js';

describe('@sextant/infra', () => {
  it('is built by tsup with the same exports as its sources (the dist is what plain node imports)', async () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    expect(existsSync(dist)).toBe(true);
    const built = (await import(dist)) as Record<string, unknown>;
    expect(Object.keys(built).sort()).toEqual(Object.keys(source).sort());
    expect(built.KAFKA_POM_FILE).toBe(source.KAFKA_POM_FILE);
  });
});
