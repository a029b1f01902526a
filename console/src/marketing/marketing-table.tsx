import type { MarketingKpiName, MarketingKpiRow, MarketingKpis } from '../api/analytics-types.js';
import { fmtChange, fmtMoney, fmtMoneyCents, fmtNumber, fmtPercent } from '../components/format.js';

/** Which change each cell shows: against the period before (DoD for a day, MoM for 30 days) or a year before. */
export type Comparison = 'previous' | 'yoy';

interface Column {
  key: MarketingKpiName;
  label: string;
  format: (n: number | null | undefined) => string;
  /** Colour of a rise: good, bad, or neither (spend). */
  rise: 'good' | 'bad' | 'neutral';
}

const MARKETING_COLUMNS: Column[] = [
  { key: 'impressions', label: 'Impressions', format: fmtNumber, rise: 'good' },
  { key: 'clicks', label: 'Clicks', format: fmtNumber, rise: 'good' },
  { key: 'ctr', label: 'CTR', format: (n) => fmtPercent(n, 2), rise: 'good' },
  { key: 'cpc', label: 'CPC', format: fmtMoneyCents, rise: 'bad' },
  { key: 'spend', label: 'Spend', format: fmtMoney, rise: 'neutral' },
  { key: 'orders', label: 'Orders', format: fmtNumber, rise: 'good' },
  { key: 'revenue', label: 'Revenue', format: fmtMoney, rise: 'good' },
  { key: 'roas', label: 'ROAS', format: fmtNumber, rise: 'good' },
  { key: 'roi', label: 'ROI', format: (n) => fmtPercent(n, 0), rise: 'good' },
];

export const rowName = (r: MarketingKpiRow): string => (r.campaign ? `${r.channel} / ${r.campaign}` : r.channel);

function changeClass(delta: number | null, rise: Column['rise']): string {
  if (delta === null || delta === 0 || rise === 'neutral') return 'hint';
  return (delta > 0) === (rise === 'good') ? 'up' : 'down';
}

/** One row per channel (or channel and campaign): each KPI with its change. */
export function MarketingTable({ report, comparison }: { report: MarketingKpis; comparison: Comparison }) {
  const changeKey = comparison === 'yoy' ? 'yoy' : report.period === 'day' ? 'dod' : 'mom';
  const against = comparison === 'yoy' ? 'vs a year before' : report.period === 'day' ? 'vs the day before' : 'vs the 30 days before';
  return (
    <>
      <div class="table-wrap">
        <table data-testid="marketing-table">
          <caption class="sr-only">
            Marketing KPIs per {report.groupBy}, each with its change {against}
          </caption>
          <thead>
            <tr>
              <th scope="col">{report.groupBy === 'campaign' ? 'Channel / campaign' : 'Channel'}</th>
              {MARKETING_COLUMNS.map((c) => (
                <th scope="col" class="num" key={c.key}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {report.rows.map((r) => (
              <tr key={rowName(r)}>
                <th scope="row">{rowName(r)}</th>
                {MARKETING_COLUMNS.map((c) => {
                  const v = r.kpis[c.key];
                  const delta = v[changeKey];
                  return (
                    <td class="num" key={c.key} data-kpi={c.key}>
                      <span class="kpi-value">{c.format(v.value)}</span>
                      <br />
                      <span class={changeClass(delta, c.rise)} title={comparison === 'previous' ? `${against}: ${c.format(v.previous)}` : undefined}>
                        {fmtChange(delta)}
                      </span>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="hint">
        Change {against}. Orders and revenue (USD) attributed by {report.attribution.model.replace(/_/g, ' ').replace('non direct', 'non-direct')} touch ({report.attribution.lookbackDays}-day lookback); spend in USD at the latest rate.
      </p>
    </>
  );
}
