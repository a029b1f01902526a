import { useState } from 'preact/hooks';
import { useApp } from '../app/app-context.js';
import { ChartView, PALETTE } from '../components/chart-view.js';
import { AsyncView } from '../components/status.js';
import { useAsync } from '../components/use-async.js';
import { daysAgo, fmtChange, fmtMoney, fmtNumber, fmtPercent } from '../components/format.js';

interface KpiValue {
  value: number;
  previous: number | null;
  dod: number | null;
  mom: number | null;
  yoy: number | null;
}
interface KpiOverview {
  date: string;
  period: 'day' | 'month';
  kpis: Record<string, KpiValue>;
  byChannel: { channel: string; sessions: number; visitors: number; newVisitors: number; returningVisitors: number }[];
  tookMs: number;
}

type Format = 'number' | 'money' | 'percent';
const HEADLINE: { key: string; label: string; format: Format; lowerIsBetter?: boolean }[] = [
  { key: 'revenue', label: 'Revenue (USD)', format: 'money' },
  { key: 'orders', label: 'Orders', format: 'number' },
  { key: 'sessions', label: 'Sessions', format: 'number' },
  { key: 'visitors', label: 'Visitors', format: 'number' },
  { key: 'conversion_rate', label: 'Conversion rate', format: 'percent' },
  { key: 'average_order_value', label: 'Average order value', format: 'money' },
  { key: 'cart_abandonment_rate', label: 'Cart abandonment', format: 'percent', lowerIsBetter: true },
  { key: 'repurchase_rate', label: 'Repurchase rate', format: 'percent' },
  { key: 'spend', label: 'Ad spend', format: 'money' },
  { key: 'roas', label: 'ROAS (blended)', format: 'number' },
  { key: 'ctr', label: 'CTR', format: 'percent' },
  { key: 'cpc', label: 'CPC', format: 'money' },
];

const formatValue = (v: number | null | undefined, f: Format) => (f === 'money' ? fmtMoney(v) : f === 'percent' ? fmtPercent(v) : fmtNumber(v));

/** KPI cards with period-over-period change, a daily revenue/orders chart and sessions by channel. */
export function OverviewPage() {
  const { api } = useApp();
  const [date, setDate] = useState(daysAgo(0));
  const [period, setPeriod] = useState<'day' | 'month'>('month');
  const [state, reload] = useAsync((signal) => api.get<KpiOverview>('/api/analytics/kpis', { date, period }, signal), [date, period]);
  // The last 14 days, one KPI request each (the API answers one day at a time), for the trend chart.
  const [trend, reloadTrend] = useAsync(
    (signal) => Promise.all(Array.from({ length: 14 }, (_, i) => daysAgo(13 - i)).map((d) => api.get<KpiOverview>('/api/analytics/kpis', { date: d, period: 'day' }, signal))),
    [],
  );
  const change = period === 'day' ? 'dod' : 'mom';
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <div class="filters">
        <label>
          Date
          <input type="date" value={date} onInput={(e) => setDate(e.currentTarget.value)} />
        </label>
        <label>
          Period
          <select aria-label="Period" value={period} onChange={(e) => setPeriod(e.currentTarget.value as 'day' | 'month')}>
            <option value="day">the day (vs the day before)</option>
            <option value="month">30 days to the date (vs 30 days before)</option>
          </select>
        </label>
      </div>
      <AsyncView state={state} onRetry={reload} label="Computing KPIs…">
        {(o) => (
          <>
            <div class="cards" data-testid="kpi-cards">
              {HEADLINE.map((k) => {
                const v = o.kpis[k.key];
                const delta = v?.[change] ?? null;
                const good = delta === null || delta === 0 ? '' : (delta > 0) !== Boolean(k.lowerIsBetter) ? 'up' : 'down';
                return (
                  <article class="card kpi" key={k.key}>
                    <h2 class="hint">{k.label}</h2>
                    <p class="value">{formatValue(v?.value, k.format)}</p>
                    <p class={good}>
                      {fmtChange(delta)} <span class="hint">vs {formatValue(v?.previous, k.format)} {period === 'day' ? 'the day before' : 'the 30 days before'}</span>
                    </p>
                  </article>
                );
              })}
            </div>
            <h2>Sessions by channel</h2>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Channel</th>
                    <th scope="col" class="num">Sessions</th>
                    <th scope="col" class="num">Visitors</th>
                    <th scope="col" class="num">New</th>
                    <th scope="col" class="num">Returning</th>
                  </tr>
                </thead>
                <tbody>
                  {o.byChannel.map((c) => (
                    <tr key={c.channel}>
                      <td>{c.channel}</td>
                      <td class="num">{fmtNumber(c.sessions)}</td>
                      <td class="num">{fmtNumber(c.visitors)}</td>
                      <td class="num">{fmtNumber(c.newVisitors)}</td>
                      <td class="num">{fmtNumber(c.returningVisitors)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </AsyncView>
      <h2>Last 14 days</h2>
      <AsyncView state={trend} onRetry={reloadTrend} label="Loading the trend…">
        {(days) => (
          <ChartView
            testId="kpi-chart"
            label="Revenue and orders per day over the last 14 days"
            summary={days.map((d) => `${d.date}: ${fmtMoney(d.kpis.revenue?.value)} from ${d.kpis.orders?.value ?? 0} orders`).join('; ')}
            config={{
              type: 'line',
              data: {
                labels: days.map((d) => d.date.slice(5)),
                datasets: [
                  { label: 'Revenue (USD)', data: days.map((d) => d.kpis.revenue?.value ?? 0), borderColor: PALETTE[0]!, backgroundColor: PALETTE[0]!, yAxisID: 'y' },
                  { label: 'Orders', data: days.map((d) => d.kpis.orders?.value ?? 0), borderColor: PALETTE[1]!, backgroundColor: PALETTE[1]!, yAxisID: 'y1' },
                ],
              },
              options: { scales: { y: { beginAtZero: true, position: 'left' }, y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false } } } },
            }}
          />
        )}
      </AsyncView>
    </section>
  );
}
