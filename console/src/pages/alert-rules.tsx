import { useState } from 'preact/hooks';
import { useApp } from '../app/app-context.js';
import { canEdit } from '../auth/session.js';
import { AsyncView, Empty, ErrorBox } from '../components/status.js';
import { useAsync } from '../components/use-async.js';

interface AlertRule {
  id: string;
  name: string;
  kpi: string;
  channel?: string;
  period: string;
  condition: string;
  threshold: number;
  enabled: boolean;
}

const KPIS = ['revenue', 'orders', 'sessions', 'visitors', 'conversion_rate', 'average_order_value', 'cart_abandonment_rate', 'repurchase_rate', 'spend', 'roas', 'ctr', 'cpc'];
const CONDITIONS = { above: 'is above', below: 'is below', change_above: 'changes by more than (+0.2 = +20 %)', change_below: 'changes by less than (-0.2 = -20 %)' };

/** Alert rules on KPIs (`/api/analytics/alerts`): list, add and delete (marketer). */
export function AlertRules() {
  const { api, session } = useApp();
  const [state, reload] = useAsync((signal) => api.get<{ rules: AlertRule[] }>('/api/analytics/alerts', {}, signal), []);
  const [form, setForm] = useState({ name: '', kpi: 'revenue', condition: 'change_below', threshold: '-0.2', period: 'day' });
  const [error, setError] = useState<unknown>(undefined);
  const add = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api.post('/api/analytics/alerts', { ...form, threshold: Number(form.threshold) });
      setForm({ ...form, name: '' });
      reload();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (id: string) => {
    try {
      await api.del(`/api/analytics/alerts/${id}`);
      reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <h2>Alert rules</h2>
      <AsyncView state={state} onRetry={reload} label="Loading alert rules…">
        {({ rules }) =>
          rules.length === 0 ? (
            <Empty>No alert rules. They are checked every 15 minutes and fire once per breach.</Empty>
          ) : (
            <ul>
              {rules.map((r) => (
                <li key={r.id}>
                  <strong>{r.name}</strong>: {r.kpi} ({r.period}) {CONDITIONS[r.condition as keyof typeof CONDITIONS] ?? r.condition} {r.threshold}
                  {r.enabled ? '' : ' (off)'}{' '}
                  {canEdit(session.role) && (
                    <button type="button" class="danger" onClick={() => remove(r.id)}>
                      Delete
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </AsyncView>
      {canEdit(session.role) && (
        <form class="filters" onSubmit={add} aria-label="New alert rule">
          <label>
            Rule name
            <input value={form.name} required onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
          </label>
          <label>
            KPI
            <select aria-label="KPI" value={form.kpi} onChange={(e) => setForm({ ...form, kpi: e.currentTarget.value })}>
              {KPIS.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </label>
          <label>
            Condition
            <select aria-label="Condition" value={form.condition} onChange={(e) => setForm({ ...form, condition: e.currentTarget.value })}>
              {Object.entries(CONDITIONS).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <label>
            Threshold
            <input type="number" step="any" value={form.threshold} required onInput={(e) => setForm({ ...form, threshold: e.currentTarget.value })} />
          </label>
          <label>
            Period
            <select aria-label="Period" value={form.period} onChange={(e) => setForm({ ...form, period: e.currentTarget.value })}>
              <option value="day">day</option>
              <option value="month">30 days</option>
            </select>
          </label>
          <button type="submit">Add rule</button>
          {error !== undefined && <ErrorBox error={error} />}
        </form>
      )}
    </>
  );
}

/** Destination types and which of their settings are secrets (sealed by the server, never shown). */
export function DestinationTypes() {
  const { api } = useApp();
  const [state, reload] = useAsync((signal) => api.get<{ id: string; name: string; description: string; secretFields: string[] }[]>('/api/destinations', {}, signal), []);
  return (
    <>
      <h2>Destinations</h2>
      <AsyncView state={state} onRetry={reload} label="Loading destinations…">
        {(types) => (
          <div class="cards">
            {types.map((t) => (
              <article class="card" key={t.id}>
                <h3>{t.name}</h3>
                <p class="hint">{t.description}</p>
                <p>
                  Secrets: {t.secretFields.length ? t.secretFields.map((f) => <code key={f}>{f} </code>) : 'none'} (encrypted with <code>SEXTANT_SECRET_KEY</code>, shown as [redacted])
                </p>
              </article>
            ))}
          </div>
        )}
      </AsyncView>
      <p class="hint">Connect a destination to a segment on the Audiences page.</p>
    </>
  );
}
