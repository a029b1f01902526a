import { useState } from 'preact/hooks';
import { useApp } from '../app/app-context.js';
import { AsyncView, Empty } from '../components/status.js';
import { useAsync } from '../components/use-async.js';
import { fmtTime } from '../components/format.js';
import { ApiError } from '../api/api-client.js';

interface Profile {
  personId: string;
  identities: { kind: string; value: string }[];
  traits: Record<string, unknown>;
  computedTraits: Record<string, unknown> | null;
  tags: (string | { tag: string })[];
  segments: (string | { id: string; name?: string })[];
  recentEvents: { timestamp: string; type: string; event: string; properties: Record<string, unknown> }[];
}

/** Look a person up by any identifier (userId, anonymousId, email, phone): identities, traits, tags, timeline. */
export function ProfilePage() {
  const { api, navigate } = useApp();
  const fromPath = decodeURIComponent(location.pathname.split('/')[2] ?? '');
  const [query, setQuery] = useState(fromPath);
  const id = fromPath;
  const [state, reload] = useAsync((signal) => api.get<Profile>(`/api/profiles/${encodeURIComponent(id)}`, {}, signal), [id], id !== '');
  return (
    <section aria-labelledby="profile-title">
      <h1 id="profile-title">Profiles</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          if (query.trim()) navigate(`/profiles/${encodeURIComponent(query.trim())}`);
        }}
      >
        <label>
          Any identifier
          <input name="identifier" value={query} placeholder="cust_123, an anonymousId, an email or a phone" onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
        <button type="submit">Look up</button>
      </form>
      {id === '' ? (
        <Empty>Type a userId, anonymousId, email or phone number, or open a user from Live events.</Empty>
      ) : state.status === 'error' && state.error instanceof ApiError && state.error.status === 404 ? (
        <Empty>No person has the identifier “{id}”.</Empty>
      ) : (
        <AsyncView state={state} onRetry={reload} label="Loading the profile…">
          {(p) => <ProfileView profile={p} />}
        </AsyncView>
      )}
    </section>
  );
}

function ProfileView({ profile }: { profile: Profile }) {
  const tags = profile.tags.map((t) => (typeof t === 'string' ? t : t.tag));
  const segments = profile.segments.map((s) => (typeof s === 'string' ? s : (s.name ?? s.id)));
  return (
    <div class="profile" data-testid="profile">
      <div class="cards">
        <article class="card">
          <h2>Identities</h2>
          <dl>
            {profile.identities.map((i) => (
              <div key={`${i.kind}:${i.value}`}>
                <dt>{i.kind}</dt>
                <dd>{i.value}</dd>
              </div>
            ))}
          </dl>
          <p class="hint">Person {profile.personId}</p>
        </article>
        <article class="card">
          <h2>Traits</h2>
          <KeyValues values={profile.traits} empty="No identify traits." />
        </article>
        <article class="card">
          <h2>Computed traits</h2>
          <KeyValues values={profile.computedTraits ?? {}} empty="Not computed yet (the engine refreshes every 5 minutes)." />
        </article>
        <article class="card">
          <h2>Tags and segments</h2>
          <p>{tags.length ? tags.map((t) => <span key={t} class="pill">{t}</span>) : 'No tags.'}</p>
          <p>{segments.length ? segments.map((s) => <span key={s} class="pill accent">{s}</span>) : 'In no segment.'}</p>
        </article>
      </div>
      <h2>Timeline</h2>
      {profile.recentEvents.length === 0 ? (
        <Empty>No events.</Empty>
      ) : (
        <ol class="timeline">
          {profile.recentEvents.map((e, i) => (
            <li key={i}>
              <time>{fmtTime(e.timestamp)}</time> <strong>{e.event || e.type}</strong> <span class="pill">{e.type}</span>
              {Object.keys(e.properties).length > 0 && (
                <details>
                  <summary>properties</summary>
                  <pre class="json">{JSON.stringify(e.properties, null, 2)}</pre>
                </details>
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function KeyValues({ values, empty }: { values: Record<string, unknown>; empty: string }) {
  const entries = Object.entries(values).filter(([, v]) => v !== null && v !== '' && !(Array.isArray(v) && v.length === 0));
  if (entries.length === 0) return <p class="hint">{empty}</p>;
  return (
    <dl>
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
