import { useState } from 'preact/hooks';
import { useApp } from '../app/app-context.js';
import { ChartView, PALETTE } from '../components/chart-view.js';
import { AsyncView } from '../components/status.js';
import { useAsync } from '../components/use-async.js';
import { daysAgo, fmtMoney, fmtNumber } from '../components/format.js';

const MODELS = ['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay', 'position_based', 'markov'] as const;
type Model = (typeof MODELS)[number];

interface ModelResult {
  revenue: number;
  conversions: number;
  roas: number | null;
  cpa: number | null;
}
interface AttributionRow {
  channel: string;
  campaign: string;
  spend: number;
  models: Partial<Record<Model, ModelResult>>;
}

const label = (m: string) => m.replace(/_/g, ' ');

/** Revenue per channel (or campaign) under every attribution model side by side, with spend and ROAS. */
export function AttributionPage() {
  const { api } = useApp();
  const [from, setFrom] = useState(daysAgo(30));
  const [to, setTo] = useState(daysAgo(-1));
  const [groupBy, setGroupBy] = useState<'channel' | 'campaign'>('channel');
  const [lookback, setLookback] = useState('30');
  const [metric, setMetric] = useState<'revenue' | 'roas'>('revenue');
  const [query, setQuery] = useState({ from, to, group_by: groupBy, lookback_days: 30 });
  const [state, reload] = useAsync((signal) => api.post<{ rows: AttributionRow[] }>('/api/analytics/attribution', query, signal), [JSON.stringify(query)]);
  return (
    <section aria-labelledby="attribution-title">
      <h1 id="attribution-title">Attribution</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({ from, to, group_by: groupBy, lookback_days: Number(lookback) });
        }}
      >
        <label>
          From
          <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
        <label>
          Lookback (days)
          <input type="number" min={1} max={365} value={lookback} onInput={(e) => setLookback(e.currentTarget.value)} />
        </label>
        <label>
          Group by
          <select aria-label="Group by" value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value as 'channel' | 'campaign')}>
            <option value="channel">channel</option>
            <option value="campaign">channel and campaign</option>
          </select>
        </label>
        <button type="submit">Update</button>
        <label>
          Chart
          <select aria-label="Chart" value={metric} onChange={(e) => setMetric(e.currentTarget.value as 'revenue' | 'roas')}>
            <option value="revenue">revenue</option>
            <option value="roas">ROAS</option>
          </select>
        </label>
      </form>
      <AsyncView state={state} onRetry={reload} label="Attributing conversions…">
        {({ rows }) => {
          const name = (r: AttributionRow) => (r.campaign ? `${r.channel} / ${r.campaign}` : r.channel);
          const shown = metric === 'roas' ? rows.filter((r) => r.spend > 0) : rows;
          return (
            <>
              <ChartView
                testId="attribution-chart"
                label={`${metric === 'roas' ? 'ROAS' : 'Revenue'} per ${groupBy} for each attribution model`}
                config={{
                  type: 'bar',
                  data: {
                    labels: shown.map(name),
                    datasets: MODELS.map((m, i) => ({ label: label(m), data: shown.map((r) => (metric === 'roas' ? (r.models[m]?.roas ?? 0) : (r.models[m]?.revenue ?? 0))), backgroundColor: PALETTE[i % PALETTE.length]! })),
                  },
                  options: { scales: { y: { beginAtZero: true } } },
                }}
              />
              <div class="table-wrap">
                <table data-testid="attribution-table">
                  <caption class="sr-only">Revenue (USD) and ROAS per model</caption>
                  <thead>
                    <tr>
                      <th scope="col">{groupBy}</th>
                      <th scope="col" class="num">Spend</th>
                      {MODELS.map((m) => (
                        <th scope="col" class="num" key={m}>
                          {label(m)}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => (
                      <tr key={name(r)}>
                        <td>{name(r)}</td>
                        <td class="num">{r.spend ? fmtMoney(r.spend) : '–'}</td>
                        {MODELS.map((m) => {
                          const v = r.models[m];
                          return (
                            <td class="num" key={m}>
                              {fmtMoney(v?.revenue)}
                              <br />
                              <span class="hint">
                                {fmtNumber(v?.conversions)} conv.{v?.roas != null ? ` · ROAS ${fmtNumber(v.roas)}` : ''}
                              </span>
                            </td>
                          );
                        })}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          );
        }}
      </AsyncView>
    </section>
  );
}
