import { defineConfig, type Options } from 'tsup';

/**
 * - `dist/index.js` (+ `.d.ts`): ESM for `npm i`, every feature in (bundlers drop what is not used).
 * - `dist/snippet.js` (+ `.d.ts`): `renderSnippet`, the copy-paste snippet.
 * - `dist/sextant.js`: the one-file minified IIFE the snippet loads and the server serves.
 * - `dist/sextant.lite.js`: the same without autocapture and e-commerce helpers (build-time flags).
 * - `dist/sextant.debug.js`: unminified, for reading and debugging.
 * `npm run build` empties dist/ first (configs build in parallel, so none of them cleans).
 */
const browser: Options = { platform: 'browser', target: 'es2018', treeshake: true, clean: false, outDir: 'dist' };
const iife = (name: string, minify: boolean, features: boolean): Options => ({
  ...browser,
  entry: { [name]: 'src/iife.ts' },
  format: ['iife'],
  minify,
  sourcemap: false,
  outExtension: () => ({ js: '.js' }),
  define: { 'globalThis.__SX_AUTOCAPTURE__': String(features), 'globalThis.__SX_ECOMMERCE__': String(features) },
});

export default defineConfig([
  { ...browser, entry: { index: 'src/index.ts', snippet: 'src/snippet.ts' }, format: ['esm'], dts: true, sourcemap: true },
  iife('sextant', true, true),
  iife('sextant.lite', true, false),
  iife('sextant.debug', false, true),
]);
