/**
 * The one-file script for the snippet (built to dist/sextant.js). It takes the place of the snippet's
 * stub `window.sextant` and replays the calls the stub recorded, in order and with the time each was
 * made. The tracking API defaults to the origin the script itself was served from.
 */
import { createSextant } from './core/sextant.js';

type Recorded = [method: string, args: unknown[], time: number];
const w = window as unknown as { sextant?: Recorded[] & { _r?: unknown } };
const stub = w.sextant;
if (!stub || !stub._r) {
  const script = document.currentScript as HTMLScriptElement | null;
  let host: string | undefined;
  try {
    host = script && script.src ? new URL(script.src).origin : undefined;
  } catch {
    // inline or odd src: the page's origin
  }
  const sextant = createSextant(host ? { host } : {});
  (w as { sextant?: unknown }).sextant = sextant;
  if (stub && stub.length) for (const c of stub) if (c) sextant._r(c[0], c[1] || [], c[2] || Date.now());
}
