import { useState } from 'preact/hooks';
import { useApp } from '../app/app-context.js';
import { canEdit } from '../auth/session.js';
import { ChartView, PALETTE } from '../components/chart-view.js';
import { AsyncView, ErrorBox } from '../components/status.js';
import { useAsync } from '../components/use-async.js';
import { daysAgo, fmtNumber, fmtPercent } from '../components/format.js';
import { COMMON_EVENTS, newKey } from '../segments/definition-model.js';

interface FunnelStep {
  step: number;
  label: string;
  count: number;
  conversionFromStart: number;
  conversionFromPrevious: number;
  droppedOff: number;
  inProgress: number;
  medianSecondsFromPrevious: number | null;
}
interface FunnelRow {
  value: string;
  entered: number;
  converted: number;
  conversionRate: number;
  steps: FunnelStep[];
}
interface FunnelResult {
  total: FunnelRow;
  breakdown?: FunnelRow[];
  tookMs: number;
}

const BREAKDOWNS: Record<string, Record<string, unknown> | undefined> = {
  none: undefined,
  channel: { channel: true },
  first_touch_source: { trait: 'first_touch_source' },
  first_touch_campaign: { trait: 'first_touch_campaign' },
  device_type: { column: 'device_type' },
};

const DEFAULT_STEPS = ['Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed'];

/** Build a funnel, run it in ClickHouse, chart it, break it down, and save a step's drop-offs as a segment. */
export function FunnelsPage() {
  const { api } = useApp();
  const [steps, setSteps] = useState(DEFAULT_STEPS.map((event) => ({ key: newKey(), event })));
  const [windowDays, setWindowDays] = useState('7');
  const [from, setFrom] = useState(daysAgo(30));
  const [to, setTo] = useState(daysAgo(-1));
  const [breakdown, setBreakdown] = useState('channel');
  const [query, setQuery] = useState<Record<string, unknown> | undefined>(undefined);
  const [state, reload] = useAsync((signal) => api.post<FunnelResult>('/api/analytics/funnels', query, signal), [JSON.stringify(query)], query !== undefined);

  const run = (e: Event) => {
    e.preventDefault();
    const bd = BREAKDOWNS[breakdown];
    setQuery({ steps: steps.map((s) => ({ event: s.event.trim() })), window_seconds: Number(windowDays) * 86_400, from, to, ...(bd ? { breakdown: bd } : {}) });
  };
  const setStep = (key: number, event: string | undefined) => setSteps(event === undefined ? steps.filter((s) => s.key !== key) : steps.map((s) => (s.key === key ? { ...s, event } : s)));

  return (
    <section aria-labelledby="funnels-title">
      <h1 id="funnels-title">Funnels</h1>
      <form onSubmit={run}>
        <ol class="steps" aria-label="Funnel steps">
          {steps.map((s, i) => (
            <li key={s.key}>
              <label>
                Step {i + 1}
                <input list="funnel-events" value={s.event} required onInput={(e) => setStep(s.key, e.currentTarget.value)} />
              </label>
              {steps.length > 2 && (
                <button type="button" class="danger" aria-label={`Remove step ${i + 1}`} onClick={() => setStep(s.key, undefined)}>
                  Remove
                </button>
              )}
            </li>
          ))}
        </ol>
        <datalist id="funnel-events">
          {COMMON_EVENTS.map((e) => (
            <option key={e} value={e} />
          ))}
        </datalist>
        <div class="filters">
          <button type="button" class="secondary" disabled={steps.length >= 10} onClick={() => setSteps([...steps, { key: newKey(), event: '' }])}>
            + Step
          </button>
          <label>
            Window (days)
            <input type="number" min={1} max={365} value={windowDays} onInput={(e) => setWindowDays(e.currentTarget.value)} />
          </label>
          <label>
            From
            <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
          </label>
          <label>
            To
            <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
          </label>
          <label>
            Breakdown
            <select aria-label="Breakdown" value={breakdown} onChange={(e) => setBreakdown(e.currentTarget.value)}>
              {Object.keys(BREAKDOWNS).map((b) => (
                <option key={b} value={b}>
                  {b === 'none' ? 'none' : b.replace(/_/g, ' ')}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Run funnel</button>
        </div>
      </form>
      {query === undefined ? (
        <p class="hint">Set the steps and press “Run funnel”.</p>
      ) : (
        <AsyncView state={state} onRetry={reload} label="Running the funnel…">
          {(result) => <FunnelResultView result={result} query={query} />}
        </AsyncView>
      )}
    </section>
  );
}

function FunnelResultView({ result, query }: { result: FunnelResult; query: Record<string, unknown> }) {
  const { session } = useApp();
  const labels = result.total.steps.map((s) => `${s.step}. ${s.label}`);
  const rows = (result.breakdown ?? []).slice().sort((a, b) => b.entered - a.entered).slice(0, 6);
  const datasets = rows.length > 1
    ? rows.map((r, i) => ({ label: r.value, data: r.steps.map((s) => s.count), backgroundColor: PALETTE[i % PALETTE.length]! }))
    : [{ label: 'people', data: result.total.steps.map((s) => s.count), backgroundColor: PALETTE[0]! }];
  return (
    <div data-testid="funnel-result">
      <p>
        <strong>{fmtNumber(result.total.entered)}</strong> entered, <strong>{fmtNumber(result.total.converted)}</strong> converted ({fmtPercent(result.total.conversionRate)}).{' '}
        <span class="hint">Computed in {result.tookMs} ms.</span>
      </p>
      <ChartView
        testId="funnel-chart"
        label={`Funnel chart: ${result.total.steps.map((s) => `${s.label} ${s.count}`).join(', ')}`}
        config={{ type: 'bar', data: { labels, datasets }, options: { plugins: { legend: { display: datasets.length > 1 } }, scales: { y: { beginAtZero: true } } } }}
      />
      <div class="table-wrap">
        <table data-testid="funnel-table">
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col" class="num">People</th>
              <th scope="col" class="num">From start</th>
              <th scope="col" class="num">From previous</th>
              <th scope="col" class="num">Dropped off</th>
              <th scope="col" class="num">Still in window</th>
              <th scope="col" class="num">Median time</th>
              {canEdit(session.role) && <th scope="col">Drop-offs</th>}
            </tr>
          </thead>
          <tbody>
            {result.total.steps.map((s, i) => (
              <tr key={s.step}>
                <td>{labels[i]}</td>
                <td class="num">{fmtNumber(s.count)}</td>
                <td class="num">{fmtPercent(s.conversionFromStart)}</td>
                <td class="num">{fmtPercent(s.conversionFromPrevious)}</td>
                <td class="num">{fmtNumber(s.droppedOff)}</td>
                <td class="num">{fmtNumber(s.inProgress)}</td>
                <td class="num">{s.medianSecondsFromPrevious === null ? '–' : `${Math.round(s.medianSecondsFromPrevious)} s`}</td>
                {canEdit(session.role) && <td>{i < result.total.steps.length - 1 && <SaveDropOffs query={query} step={s.step} label={s.label} />}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length > 1 && (
        <>
          <h2>Breakdown</h2>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Value</th>
                  <th scope="col" class="num">Entered</th>
                  <th scope="col" class="num">Converted</th>
                  <th scope="col" class="num">Conversion</th>
                </tr>
              </thead>
              <tbody>
                {(result.breakdown ?? []).map((r) => (
                  <tr key={r.value}>
                    <td>{r.value}</td>
                    <td class="num">{fmtNumber(r.entered)}</td>
                    <td class="num">{fmtNumber(r.converted)}</td>
                    <td class="num">{fmtPercent(r.conversionRate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}

function SaveDropOffs({ query, step, label }: { query: Record<string, unknown>; step: number; label: string }) {
  const { api, navigate } = useApp();
  const [state, setState] = useState<'idle' | 'saving' | { id: string } | { error: unknown }>('idle');
  const save = async () => {
    setState('saving');
    const { breakdown: _ignored, ...funnel } = query;
    try {
      const segment = await api.post<{ id: string }>('/api/analytics/funnels/drop-offs/segment', { funnel, step, name: `Dropped off after ${label}` });
      setState({ id: segment.id });
    } catch (error) {
      setState({ error });
    }
  };
  if (typeof state === 'object' && 'id' in state)
    return (
      <a
        href={`/segments/${state.id}`}
        onClick={(e) => {
          e.preventDefault();
          navigate(`/segments/${state.id}`);
        }}
      >
        Saved: open segment
      </a>
    );
  return (
    <>
      <button type="button" class="secondary" disabled={state === 'saving'} onClick={save}>
        {state === 'saving' ? 'Saving…' : 'Save as segment'}
      </button>
      {typeof state === 'object' && 'error' in state && <ErrorBox error={state.error} />}
    </>
  );
}
