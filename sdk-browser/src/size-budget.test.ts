import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

/**
 * The snippet's script stays small by construction: its gzip size is checked here, so a change that
 * goes over budget fails the suite. (`npm run bench` prints the sizes.)
 */
const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const BUDGET_GZIP_BYTES = 6 * 1024;

function built(file: string): Buffer {
  const p = path.join(dist, file);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run build\` first`);
  return readFileSync(p);
}

describe('size budget of the one-file SDK', () => {
  it.each(['sextant.js', 'sextant.lite.js'])('%s is at most 6 KB minified and gzipped', (file) => {
    const gzip = gzipSync(built(file), { level: 9 }).length;
    expect(gzip, `${file}: ${gzip} bytes gzipped`).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  });

  it('the lite build leaves out autocapture and the e-commerce helpers', () => {
    const full = built('sextant.js').toString('utf8');
    const lite = built('sextant.lite.js').toString('utf8');
    expect(full).toContain('Element Clicked');
    expect(full).toContain('Product Added to Wishlist');
    expect(lite).not.toContain('Element Clicked');
    expect(lite).not.toContain('Product Added to Wishlist');
    expect(lite.length).toBeLessThan(full.length);
  });

  it('has no runtime dependencies: one self-contained file, nothing imported or required', () => {
    const pkg = JSON.parse(readFileSync(path.join(dist, '..', 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.peerDependencies).toBeUndefined();
    const iife = built('sextant.js').toString('utf8');
    expect(iife.startsWith('(function(){')).toBe(true);
    expect(iife).not.toMatch(/\brequire\(|\bimport\(|^import /m);
  });
});
