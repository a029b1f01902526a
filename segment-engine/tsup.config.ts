import { defineConfig } from 'tsup';

// Bundled with the workspace packages it uses (they export TypeScript sources), so `dist/` runs under
// plain Node (the benchmark imports it); third-party packages load from node_modules.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  sourcemap: true,
  clean: true,
  noExternal: [/^@sextant\//],
  banner: { js: "import { createRequire as __sextantCreateRequire } from 'node:module'; const require = __sextantCreateRequire(import.meta.url);" },
});
