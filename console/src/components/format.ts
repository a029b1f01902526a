const number = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
const money = new Intl.NumberFormat('en', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const cents = new Intl.NumberFormat('en', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const fmtNumber = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : number.format(n));
export const fmtMoney = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : money.format(n));
/** Small amounts (a cost per click) with their cents. */
export const fmtMoneyCents = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : cents.format(n));
export const fmtPercent = (n: number | null | undefined, digits = 1): string => (n === null || n === undefined ? '–' : `${(n * 100).toFixed(digits)} %`);
export const fmtChange = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : `${n >= 0 ? '+' : ''}${(n * 100).toFixed(1)} %`);
export const fmtTime = (iso: string): string => {
  const d = new Date(iso.includes('T') ? iso : `${iso.replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
};
export const isoDay = (d: Date): string => d.toISOString().slice(0, 10);
export const daysAgo = (n: number): string => isoDay(new Date(Date.now() - n * 86_400_000));
