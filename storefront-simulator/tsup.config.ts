import { defineConfig } from 'tsup';

// Bundled with the workspace packages it uses (they export TypeScript sources), so
// `dist/index.js` runs under plain Node (the dataset benchmark imports it). Third-party packages stay
// external and load from node_modules, those of the workspace packages too (tsup would otherwise
// bundle them, chdb's optional TypeScript code generator included).
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  sourcemap: true,
  clean: true,
  noExternal: [/^@sextant\//],
  external: ['chdb', /^chdb\//, /^@clickhouse\//, 'ajv', 'ajv-formats', 'zod', 'json-schema-to-ts'],
  banner: { js: "import { createRequire as __sextantCreateRequire } from 'node:module'; const require = __sextantCreateRequire(import.meta.url);" },
});
