/**
 * The copy-paste snippet (like analytics.js's): a stub `window.sextant` that records every call with
 * its time, and an async `<script>` that loads the SDK, which then replays the calls in order.
 * Runs in Node (to print it for a source) or in a browser; not part of the SDK bundles.
 */
import type { LoadOptions } from './core/types.js';
import { ECOMMERCE_EVENTS, helperName } from './ecommerce/ecommerce-events.js';

/** Every method the stub records (the SDK's public API, e-commerce helpers included). */
export const SNIPPET_METHODS: readonly string[] = [
  'load',
  'track',
  'page',
  'identify',
  'alias',
  'group',
  'reset',
  'ready',
  'consent',
  'flush',
  ...ECOMMERCE_EVENTS.map(helperName),
];

export interface SnippetOptions {
  writeKey: string;
  /** Where the SDK script is served, e.g. `https://shop.example/sdk/sextant.js` (or a neutral name). */
  scriptUrl: string;
  /** Passed to `sextant.load` (`host` defaults to the script's origin). */
  options?: LoadOptions;
}

/** The JavaScript to put inside a `<script>` tag. Calls made before the SDK arrives are kept (at most 1,000). */
export function renderSnippet({ writeKey, scriptUrl, options }: SnippetOptions): string {
  const stub =
    '!function(w,d,u,m){var s=w.sextant=w.sextant||[];if(s.l||s._r)return;s.l=1;' +
    'm.split(" ").forEach(function(k){s[k]=function(){if(s.length<1e3)s.push([k,[].slice.call(arguments),Date.now()]);return s}});' +
    'var t=d.createElement("script");t.async=!0;t.src=u;(d.head||d.documentElement).appendChild(t)}' +
    `(window,document,${JSON.stringify(scriptUrl)},${JSON.stringify(SNIPPET_METHODS.join(' '))});`;
  const args = [JSON.stringify(writeKey), ...(options && Object.keys(options).length ? [JSON.stringify(options)] : [])];
  return `${stub}\nsextant.load(${args.join(',')});`;
}
