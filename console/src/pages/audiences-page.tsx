import { useState } from 'preact/hooks';
import { useApp } from '../app/app-context.js';
import { canEdit } from '../auth/session.js';
import { AsyncView, Empty, ErrorBox } from '../components/status.js';
import { useAsync } from '../components/use-async.js';
import { fmtNumber, fmtTime } from '../components/format.js';

interface DestinationType {
  id: string;
  name: string;
  kind: string;
  description: string;
  secretFields: string[];
}
interface AudienceDestination {
  id: string;
  type: string;
  cron: string;
  timezone: string;
  mode: 'diff' | 'full';
  enabled: boolean;
  settings: Record<string, unknown>;
}
interface Audience {
  id: string;
  name: string;
  segmentId: string;
  destinations: AudienceDestination[];
}
interface AudienceRun {
  runId: string;
  destinationId: string;
  mode: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt?: string;
  added: number;
  removed: number;
  failed: number;
  skippedConsent: number;
  skipped: number;
  error?: string;
}

/** Settings to start from for each destination type (the API validates them and seals the secrets). */
const SETTINGS_TEMPLATES: Record<string, Record<string, unknown>> = {
  'facebook-custom-audience': { adAccountId: 'act_1234567890', accessToken: '', audienceName: 'Sextant audience' },
  'instagram-custom-audience': { adAccountId: 'act_1234567890', accessToken: '', audienceName: '[IG] Sextant audience' },
};

/** Audiences: a segment synced to destinations on a schedule, their run history, and "run now". */
export function AudiencesPage() {
  const { api, session } = useApp();
  const [audiences, reload] = useAsync((signal) => api.get<Audience[]>('/api/audiences', {}, signal), []);
  const [creating, setCreating] = useState(false);
  return (
    <section aria-labelledby="audiences-title">
      <div class="toolbar">
        <h1 id="audiences-title">Audiences</h1>
        {canEdit(session.role) && !creating && (
          <button type="button" onClick={() => setCreating(true)}>
            New audience
          </button>
        )}
      </div>
      {creating && (
        <AudienceForm
          onDone={() => {
            setCreating(false);
            reload();
          }}
        />
      )}
      <AsyncView state={audiences} onRetry={reload} label="Loading audiences…">
        {(list) =>
          list.length === 0 ? <Empty>No audiences yet: an audience sends a segment to Facebook, Instagram or WhatsApp on a schedule.</Empty> : list.map((a) => <AudienceCard key={a.id} audience={a} onDeleted={reload} />)
        }
      </AsyncView>
    </section>
  );
}

function AudienceCard({ audience, onDeleted }: { audience: Audience; onDeleted: () => void }) {
  const { api, session } = useApp();
  const [runs, reloadRuns] = useAsync((signal) => api.get<AudienceRun[]>(`/api/audiences/${audience.id}/runs`, {}, signal), [audience.id]);
  const [running, setRunning] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const runNow = async (destinationId: string) => {
    setRunning(destinationId);
    setError(undefined);
    try {
      await api.post(`/api/audiences/${audience.id}/destinations/${destinationId}/run`);
    } catch (err) {
      setError(err);
    } finally {
      setRunning(undefined);
      reloadRuns();
    }
  };
  const remove = async () => {
    if (!confirm(`Delete the audience “${audience.name}”? Its schedules stop.`)) return;
    try {
      await api.del(`/api/audiences/${audience.id}`);
      onDeleted();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <article class="card" aria-labelledby={`aud-${audience.id}`} data-testid="audience">
      <div class="toolbar">
        <h2 id={`aud-${audience.id}`}>{audience.name}</h2>
        <span class="hint">segment {audience.segmentId}</span>
        {canEdit(session.role) && (
          <button type="button" class="danger" onClick={remove}>
            Delete
          </button>
        )}
      </div>
      <div class="table-wrap">
        <table>
          <caption class="sr-only">Destinations</caption>
          <thead>
            <tr>
              <th scope="col">Destination</th>
              <th scope="col">Schedule</th>
              <th scope="col">Mode</th>
              <th scope="col">Settings</th>
              {canEdit(session.role) && <th scope="col">Run</th>}
            </tr>
          </thead>
          <tbody>
            {audience.destinations.map((d) => (
              <tr key={d.id}>
                <td>
                  {d.type} {d.enabled ? '' : <span class="pill">paused</span>}
                </td>
                <td>
                  <code>{d.cron}</code> ({d.timezone})
                </td>
                <td>{d.mode}</td>
                <td>
                  <code>{Object.entries(d.settings).filter(([k]) => !['schema'].includes(k)).map(([k, v]) => `${k}=${String(v)}`).join(' · ')}</code>
                </td>
                {canEdit(session.role) && (
                  <td>
                    <button type="button" class="secondary" disabled={running !== undefined} onClick={() => runNow(d.id)}>
                      {running === d.id ? 'Running…' : 'Run now'}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {error !== undefined && <ErrorBox error={error} />}
      <h3>Run history</h3>
      <AsyncView state={runs} onRetry={reloadRuns} label="Loading runs…">
        {(list) =>
          list.length === 0 ? (
            <p class="hint">No runs yet.</p>
          ) : (
            <div class="table-wrap">
              <table data-testid="audience-runs">
                <thead>
                  <tr>
                    <th scope="col">Started</th>
                    <th scope="col">Status</th>
                    <th scope="col">Mode</th>
                    <th scope="col" class="num">Added</th>
                    <th scope="col" class="num">Removed</th>
                    <th scope="col" class="num">Failed</th>
                    <th scope="col" class="num">No consent</th>
                    <th scope="col" class="num">Skipped</th>
                    <th scope="col">Error</th>
                  </tr>
                </thead>
                <tbody>
                  {list
                    .slice()
                    .reverse()
                    .map((r) => (
                      <tr key={r.runId}>
                        <td>{fmtTime(r.startedAt)}</td>
                        <td>
                          <span class={r.status === 'failed' ? 'pill down' : 'pill'}>{r.status}</span>
                        </td>
                        <td>{r.mode}</td>
                        <td class="num">{fmtNumber(r.added)}</td>
                        <td class="num">{fmtNumber(r.removed)}</td>
                        <td class="num">{fmtNumber(r.failed)}</td>
                        <td class="num">{fmtNumber(r.skippedConsent)}</td>
                        <td class="num">{fmtNumber(r.skipped)}</td>
                        <td>{r.error ?? ''}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </div>
          )
        }
      </AsyncView>
    </article>
  );
}

function AudienceForm({ onDone }: { onDone: () => void }) {
  const { api } = useApp();
  const [refs, reloadRefs] = useAsync(
    async (signal) => {
      const [types, segments] = await Promise.all([api.get<DestinationType[]>('/api/destinations', {}, signal), api.get<{ segments: { id: string; name: string }[] }>('/api/segments', {}, signal)]);
      return { types, segments: segments.segments };
    },
    [],
  );
  const [name, setName] = useState('');
  const [segmentId, setSegmentId] = useState('');
  const [type, setType] = useState('facebook-custom-audience');
  const [settings, setSettings] = useState(JSON.stringify(SETTINGS_TEMPLATES['facebook-custom-audience'], null, 2));
  const [cron, setCron] = useState('0 * * * *');
  const [timezone, setTimezone] = useState(Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [mode, setMode] = useState<'diff' | 'full'>('diff');
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(settings);
    } catch {
      return setError(new Error('The settings are not valid JSON.'));
    }
    setSaving(true);
    try {
      await api.post('/api/audiences', { name, segmentId, destinations: [{ type, settings: parsed, cron, timezone, mode }] });
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };
  return (
    <AsyncView state={refs} onRetry={reloadRefs} label="Loading destinations and segments…">
      {({ types, segments }) => {
        const secret = types.find((t) => t.id === type)?.secretFields ?? [];
        return (
          <form class="card" onSubmit={submit} aria-labelledby="new-audience">
            <h2 id="new-audience">New audience</h2>
            <div class="filters">
              <label>
                Name
                <input value={name} required onInput={(e) => setName(e.currentTarget.value)} />
              </label>
              <label>
                Segment
                <select aria-label="Segment" value={segmentId} required onChange={(e) => setSegmentId(e.currentTarget.value)}>
                  <option value="">choose…</option>
                  {segments.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Destination
                <select
                  aria-label="Destination"
                  value={type}
                  onChange={(e) => {
                    setType(e.currentTarget.value);
                    setSettings(JSON.stringify(SETTINGS_TEMPLATES[e.currentTarget.value] ?? {}, null, 2));
                  }}
                >
                  {types.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Schedule (cron)
                <input value={cron} required onInput={(e) => setCron(e.currentTarget.value)} />
              </label>
              <label>
                Time zone
                <input value={timezone} required onInput={(e) => setTimezone(e.currentTarget.value)} />
              </label>
              <label>
                Mode
                <select aria-label="Mode" value={mode} onChange={(e) => setMode(e.currentTarget.value as 'diff' | 'full')}>
                  <option value="diff">diff (who entered and left)</option>
                  <option value="full">full refresh</option>
                </select>
              </label>
            </div>
            <label>
              Settings (JSON)
              <textarea rows={6} value={settings} onInput={(e) => setSettings(e.currentTarget.value)} spellcheck={false} />
            </label>
            <p class="hint">
              {types.find((t) => t.id === type)?.description} Secret fields ({secret.join(', ') || 'none'}) are encrypted on the server and never shown again.
            </p>
            <div class="toolbar">
              <button type="submit" disabled={saving}>
                {saving ? 'Saving…' : 'Create audience'}
              </button>
              <button type="button" class="secondary" onClick={onDone}>
                Cancel
              </button>
            </div>
            {error !== undefined && <ErrorBox error={error} />}
          </form>
        );
      }}
    </AsyncView>
  );
}
