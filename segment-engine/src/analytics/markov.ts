/**
 * Markov-chain removal effect (data-driven attribution). Transition counts come from ClickHouse; the
 * small state graph (one state per channel or campaign) is solved here.
 *
 * States: `(start)`, the touch states, and the absorbing `(conversion)` and `(null)`. The conversion
 * probability from `(start)` is the probability of absorption in `(conversion)`; removing a state sends
 * every transition into it to `(null)`. Removal effect RE(s) = 1 − P(conv | s removed) / P(conv); the
 * conversions are shared in proportion to RE.
 */
export const START = '(start)';
export const CONVERSION = '(conversion)';
export const NULL_STATE = '(null)';

export interface Transition { from: string; to: string; count: number }

/** P(absorbed in conversion) from every state, by value iteration (converges: absorbing chain). */
export function conversionProbability(transitions: readonly Transition[], removed?: string): number {
  const out = new Map<string, Map<string, number>>();
  for (const t of transitions) {
    const m = out.get(t.from) ?? new Map<string, number>();
    m.set(t.to, (m.get(t.to) ?? 0) + t.count);
    out.set(t.from, m);
  }
  const probs = new Map<string, [string, number][]>();
  for (const [from, m] of out) {
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    probs.set(from, [...m].map(([to, c]) => [to, c / total]));
  }
  let p = new Map<string, number>();
  for (let iter = 0; iter < 10_000; iter++) {
    const next = new Map<string, number>();
    let delta = 0;
    for (const [from, edges] of probs) {
      if (from === removed) continue;
      let v = 0;
      for (const [to, q] of edges) v += q * (to === CONVERSION ? 1 : to === NULL_STATE || to === removed ? 0 : (p.get(to) ?? 0));
      next.set(from, v);
      delta = Math.max(delta, Math.abs(v - (p.get(from) ?? 0)));
    }
    p = next;
    if (delta < 1e-12) break;
  }
  return p.get(START) ?? 0;
}

/** Each touch state's share of the conversions (sums to 1 when any state has an effect). */
export function removalEffectShares(transitions: readonly Transition[]): Map<string, number> {
  const base = conversionProbability(transitions);
  const states = new Set<string>();
  for (const t of transitions) for (const s of [t.from, t.to]) if (s !== START && s !== CONVERSION && s !== NULL_STATE) states.add(s);
  const effects = new Map<string, number>();
  for (const s of states) effects.set(s, base > 0 ? Math.max(0, 1 - conversionProbability(transitions, s) / base) : 0);
  const sum = [...effects.values()].reduce((a, b) => a + b, 0);
  return new Map([...effects].map(([s, e]) => [s, sum > 0 ? e / sum : 0]));
}
