import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api/api-client.js';
import type { Condition } from './definition-model.js';

export type PreviewState = { status: 'empty' } | { status: 'loading' } | { status: 'ok'; count: number; tookMs: number } | { status: 'error'; error: unknown };

/**
 * The live member count of an unsaved definition, asked of the preview route 400 ms after the last edit.
 * `sample: 1`, not 0: the preview route answers 500 to `sample: 0` (groupArray(0) in its SQL).
 */
export function usePreview(api: Api, definition: Condition | undefined, enabled: boolean, delayMs = 400): PreviewState {
  const [state, setState] = useState<PreviewState>({ status: 'empty' });
  const json = definition ? JSON.stringify(definition) : '';
  useEffect(() => {
    if (!enabled || !definition) return setState({ status: 'empty' });
    setState({ status: 'loading' });
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api.post<{ count: number; tookMs: number }>('/api/segments/preview', { definition, sample: 1 }, controller.signal).then(
        (r) => setState({ status: 'ok', count: r.count, tookMs: r.tookMs }),
        (error: unknown) => {
          if (!controller.signal.aborted) setState({ status: 'error', error });
        },
      );
    }, delayMs);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [json, enabled]);
  return state;
}
