/** A browsing session: renewed after `timeoutMs` without activity. `id` is its start time in ms (as Amplitude's). */
export interface Session {
  id: number;
  last: number;
}

export function touchSession(prev: Session | undefined, now: number, timeoutMs: number): { session: Session; started: boolean } {
  const started = !prev || !(now - prev.last <= timeoutMs);
  return { session: { id: started ? now : prev!.id, last: Math.max(now, started ? now : prev!.last) }, started };
}
