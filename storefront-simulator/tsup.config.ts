import { defineConfig } from 'tsup';

// Bundled with the workspace packages it uses (they export TypeScript sources), so
// `dist/index.js` runs under plain Node (the dataset benchmark imports it); third-party packages
// stay external and load from node_modules.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  sourcemap: true,
  clean: true,
  noExternal: [/^@sextant\//],
  banner: { js: "import { createRequire as __sextantCreateRequire } from 'node:module'; const require = __sextantCreateRequire(import.meta.url);" },
});
