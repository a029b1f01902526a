/**
 * Build-time feature flags. tsup `define`s `globalThis.__SX_AUTOCAPTURE__` and `__SX_ECOMMERCE__` as
 * literals at their use sites (`globalThis.__SX_X__ !== false`, written out there so that esbuild folds
 * the test and drops the code): the lite IIFE, built with `false`, ships without autocapture and the
 * e-commerce helpers. Unset (ESM build, tests): every feature is in.
 */
declare global {
  var __SX_AUTOCAPTURE__: boolean | undefined;
  var __SX_ECOMMERCE__: boolean | undefined;
}
export {};
