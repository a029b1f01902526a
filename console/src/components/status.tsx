import type { ComponentChildren } from 'preact';
import { describeError } from '../api/api-client.js';
import type { AsyncState } from './use-async.js';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: (() => void) | undefined }) {
  return (
    <div class="error" role="alert">
      <strong>Something went wrong.</strong> {describeError(error)}
      {onRetry && (
        <button type="button" class="secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** Loading, error or the content: no blank screens. Stale data stays visible while reloading. */
export function AsyncView<T>({ state, onRetry, children, label }: { state: AsyncState<T>; onRetry?: () => void; label?: string; children: (data: T) => ComponentChildren }) {
  if (state.status === 'idle') return null;
  if (state.status === 'ok') return <>{children(state.data)}</>;
  if (state.status === 'loading') return state.previous !== undefined ? <div class="stale" aria-busy="true">{children(state.previous)}</div> : <Loading label={label} />;
  return (
    <>
      <ErrorBox error={state.error} onRetry={onRetry} />
      {state.previous !== undefined && children(state.previous)}
    </>
  );
}
