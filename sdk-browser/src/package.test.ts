import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');

describe('@sextant/sdk-browser as published', () => {
  it('is an ESM package with type declarations, importable without a DOM', async () => {
    for (const file of ['index.js', 'index.d.ts', 'snippet.js', 'snippet.d.ts', 'sextant.js']) expect(existsSync(path.join(dist, file)), file).toBe(true);
    // Imported by name through package.json's exports (held in variables: typechecking needs no build).
    const [main, snippetEntry] = ['@sextant/sdk-browser', '@sextant/sdk-browser/snippet'];
    const esm = (await import(main)) as Record<string, unknown>;
    expect(typeof esm.createSextant).toBe('function');
    expect(typeof (esm.sextant as Record<string, unknown>).track).toBe('function');
    expect(esm.VERSION).toBe('0.1.0');
    const snippet = (await import(snippetEntry)) as { renderSnippet: (o: object) => string };
    expect(snippet.renderSnippet({ writeKey: 'wk', scriptUrl: '/s.js' })).toContain('sextant.load("wk")');
  });
});
