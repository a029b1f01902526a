import { useState } from 'preact/hooks';
import { useApp } from '../app/app-context.js';
import type { MarketingKpiQuery, MarketingKpis } from '../api/analytics-types.js';
import { ChartView, PALETTE } from '../components/chart-view.js';
import { AsyncView, Empty } from '../components/status.js';
import { useAsync } from '../components/use-async.js';
import { daysAgo } from '../components/format.js';
import { MarketingTable, rowName, type Comparison } from '../marketing/marketing-table.js';

const hasAdData = (r: MarketingKpis['rows'][number]) => (r.kpis.impressions.value ?? 0) > 0 || (r.kpis.clicks.value ?? 0) > 0 || (r.kpis.spend.value ?? 0) > 0;

/** Ad KPIs per channel or campaign (impressions, clicks, CTR, CPC, spend) against attributed orders, revenue, ROAS and ROI. */
export function MarketingPage() {
  const { api } = useApp();
  const [date, setDate] = useState(daysAgo(0));
  const [period, setPeriod] = useState<MarketingKpiQuery['period']>('month');
  const [groupBy, setGroupBy] = useState<MarketingKpiQuery['group_by']>('channel');
  const [comparison, setComparison] = useState<Comparison>('previous');
  const [state, reload] = useAsync((signal) => api.get<MarketingKpis>('/api/analytics/marketing', { date, period, group_by: groupBy }, signal), [date, period, groupBy]);
  const when = period === 'day' ? `on ${date}` : `in the 30 days to ${date}`;
  return (
    <section aria-labelledby="marketing-title">
      <h1 id="marketing-title">Marketing</h1>
      <div class="filters">
        <label>
          Date
          <input type="date" value={date} onInput={(e) => setDate(e.currentTarget.value)} />
        </label>
        <label>
          Period
          <select aria-label="Period" value={period} onChange={(e) => setPeriod(e.currentTarget.value as MarketingKpiQuery['period'])}>
            <option value="day">the day</option>
            <option value="month">30 days to the date</option>
          </select>
        </label>
        <label>
          Group by
          <select aria-label="Group by" value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value as MarketingKpiQuery['group_by'])}>
            <option value="channel">channel</option>
            <option value="campaign">channel and campaign</option>
          </select>
        </label>
        <label>
          Compare with
          <select aria-label="Compare with" value={comparison} onChange={(e) => setComparison(e.currentTarget.value as Comparison)}>
            <option value="previous">the period before</option>
            <option value="yoy">a year before</option>
          </select>
        </label>
      </div>
      <AsyncView state={state} onRetry={reload} label="Computing marketing KPIs…">
        {(report) => {
          if (report.rows.length === 0)
            return (
              <Empty>
                No ad data and no orders {when}. Upload ad spend (a CSV to <code>POST /api/analytics/ad-spend</code>) to see impressions, clicks, CTR, CPC and ROAS per {groupBy}.
              </Empty>
            );
          return (
            <>
              {!report.rows.some(hasAdData) && (
                <p class="notice" role="note" data-testid="no-ad-data">
                  No ad data {when}: CTR, CPC, ROAS and ROI need ad spend. Upload it as a CSV to <code>POST /api/analytics/ad-spend</code>; the attributed orders are below.
                </p>
              )}
              <ChartView
                testId="marketing-chart"
                label={`Spend and attributed revenue (USD) per ${groupBy} ${when}`}
                summary={report.rows.map((r) => `${rowName(r)}: spend ${r.kpis.spend.value ?? 0}, revenue ${r.kpis.revenue.value ?? 0}`).join('; ')}
                config={{
                  type: 'bar',
                  data: {
                    labels: report.rows.map(rowName),
                    datasets: [
                      { label: 'Spend (USD)', data: report.rows.map((r) => r.kpis.spend.value ?? 0), backgroundColor: PALETTE[1]! },
                      { label: 'Attributed revenue (USD)', data: report.rows.map((r) => r.kpis.revenue.value ?? 0), backgroundColor: PALETTE[0]! },
                    ],
                  },
                  options: { scales: { y: { beginAtZero: true } } },
                }}
              />
              <MarketingTable report={report} comparison={comparison} />
            </>
          );
        }}
      </AsyncView>
    </section>
  );
}
