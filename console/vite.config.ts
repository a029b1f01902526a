import { defineConfig } from 'vite';

// Preact through the automatic JSX runtime (no Babel plugin needed). The build lands in dist/, which
// ingest-service's console-routes.ts serves at `/`; hashed files under /assets are cached for a year.
export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 400 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/sdk': 'http://127.0.0.1:8080' } },
});
