/**
 * The four windows every KPI is computed over (overview and marketing KPIs): the period, the one
 * before (DoD), 30 days before (MoM), 365 days before (YoY). A period is the day `date` (UTC) or the
 * 30 days ending on it. Bounds are bound parameters `w{i}s` / `w{i}e` (i = 1..4, end exclusive).
 */
export const WINDOWS = ['current', 'previous', 'mom', 'yoy'] as const;
const DAY = 86_400_000;

export function windowParams(q: { date: string; period: 'day' | 'month' }): Record<string, string> {
  const end = Date.parse(`${q.date}T00:00:00Z`) + DAY;
  const len = q.period === 'day' ? DAY : 30 * DAY;
  const shifts = [0, len, 30 * DAY, 365 * DAY];
  const out: Record<string, string> = {};
  shifts.forEach((s, i) => {
    out[`w${i + 1}s`] = new Date(end - len - s).toISOString().slice(0, 19).replace('T', ' ');
    out[`w${i + 1}e`] = new Date(end - s).toISOString().slice(0, 19).replace('T', ' ');
  });
  return out;
}

const bound = (name: string) => `toDateTime64({${name}:String}, 3, 'UTC')`;
/** Window starts / ends as DateTime64 array literals (index = window number). */
export const STARTS_SQL = `[${WINDOWS.map((_, i) => bound(`w${i + 1}s`)).join(', ')}]`;
export const ENDS_SQL = `[${WINDOWS.map((_, i) => bound(`w${i + 1}e`)).join(', ')}]`;

/** `timestamp` in any window, each window's start moved back by `extendBackDays` / its end forward by `extendForwardDays`. */
export function inAnyWindowSql(column = 'timestamp', extendBackDays = 0, extendForwardDays = 0): string {
  const back = extendBackDays ? ` - toIntervalDay(${Math.trunc(extendBackDays)})` : '';
  const fwd = extendForwardDays ? ` + toIntervalDay(${Math.trunc(extendForwardDays)})` : '';
  return WINDOWS.map((_, i) => `(${column} >= ${bound(`w${i + 1}s`)}${back} AND ${column} < ${bound(`w${i + 1}e`)}${fwd})`).join(' OR ');
}

/** The windows (1..4) a DateTime64 expression falls in, one row each (a row counts in every window it is in). */
export function windowOfSql(column = 'timestamp'): string {
  return `arrayJoin(arrayFilter(i -> ${column} >= ${STARTS_SQL}[i] AND ${column} < ${ENDS_SQL}[i], [1, 2, 3, 4]))`;
}

export function div(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}
/** Relative change vs a base; null when there is no base (0 or unknown). */
export function change(cur: number | null, base: number | null): number | null {
  return cur !== null && base !== null && base !== 0 ? round((cur - base) / Math.abs(base)) : null;
}
export function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
