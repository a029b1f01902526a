import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export type AsyncState<T> =
  | { status: 'idle' }
  | { status: 'loading'; previous?: T | undefined }
  | { status: 'ok'; data: T }
  | { status: 'error'; error: unknown; previous?: T | undefined };

/** Runs `load` when `deps` change (and on `reload`), cancelling the previous run. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], enabled = true): [AsyncState<T>, () => void] {
  const [state, setState] = useState<AsyncState<T>>({ status: enabled ? 'loading' : 'idle' });
  const [tick, setTick] = useState(0);
  const last = useRef<T | undefined>(undefined);
  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    setState({ status: 'loading', previous: last.current });
    load(controller.signal).then(
      (data) => {
        if (controller.signal.aborted) return;
        last.current = data;
        setState({ status: 'ok', data });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'error', error, previous: last.current });
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick, enabled]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return [state, reload];
}

/** The data to show: the fresh result, or the last one while reloading or after an error. */
export function dataOf<T>(state: AsyncState<T>): T | undefined {
  if (state.status === 'ok') return state.data;
  if (state.status === 'loading' || state.status === 'error') return state.previous;
  return undefined;
}
