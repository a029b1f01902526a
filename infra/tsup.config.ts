import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  sourcemap: true,
  clean: true,
  // A dev dependency loaded only when tests fall back to Docker: never bundled.
  external: ['@testcontainers/kafka'],
});
