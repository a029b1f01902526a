import { useState } from 'preact/hooks';
import { useApp } from '../app/app-context.js';
import { isAdmin } from '../auth/session.js';
import { AsyncView, ErrorBox } from '../components/status.js';
import { useAsync } from '../components/use-async.js';
import { describeError } from '../api/api-client.js';
import { renderSnippet } from '@sextant/sdk-browser/snippet';
import { AlertRules, DestinationTypes } from './alert-rules.js';

interface Source {
  id: string;
  name: string;
  writeKey: string;
  createdAt: string;
}

/** The snippet a storefront pastes: rendered by the SDK package itself, so it never drifts from the SDK. */
export function snippetFor(writeKey: string, origin: string): string {
  return `<script>\n${renderSnippet({ writeKey, scriptUrl: `${origin}/sdk/sextant.js` })}\n</script>`;
}

export function SettingsPage() {
  const { api, session } = useApp();
  const [state, reload] = useAsync((signal) => api.get<{ sources: Source[] }>('/api/sources', {}, signal), []);
  const [name, setName] = useState('');
  const [creating, setCreating] = useState<unknown>(undefined);
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      setCreating(true);
      await api.post('/api/sources', { name });
      setName('');
      setCreating(undefined);
      reload();
    } catch (err) {
      setCreating(err);
    }
  };
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <h2>Sources and write keys</h2>
      <AsyncView state={state} onRetry={reload} label="Loading sources…">
        {(data) => (
          <div class="sources">
            {data.sources.map((s) => (
              <article class="card" key={s.id}>
                <h3>{s.name}</h3>
                <p>
                  Write key <code data-testid="write-key">{s.writeKey}</code> <CopyButton text={s.writeKey} label="Copy write key" />
                </p>
                <details>
                  <summary>Storefront snippet</summary>
                  <pre class="json">{snippetFor(s.writeKey, location.origin)}</pre>
                  <CopyButton text={snippetFor(s.writeKey, location.origin)} label="Copy snippet" />
                </details>
              </article>
            ))}
          </div>
        )}
      </AsyncView>
      {isAdmin(session.role) && (
        <form class="filters" onSubmit={create}>
          <label>
            New source name
            <input value={name} required maxLength={200} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={creating === true || !name.trim()}>
            Create source
          </button>
          {creating !== undefined && creating !== true && <ErrorBox error={creating} />}
        </form>
      )}
      <DestinationTypes />
      <AlertRules />
    </section>
  );
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState<string | undefined>(undefined);
  return (
    <button
      type="button"
      class="secondary"
      onClick={() =>
        navigator.clipboard.writeText(text).then(
          () => setDone('Copied'),
          (err: unknown) => setDone(`Copy failed: ${describeError(err)}`),
        )
      }
    >
      {done ?? label}
    </button>
  );
}
