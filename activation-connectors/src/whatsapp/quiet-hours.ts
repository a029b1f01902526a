/** The hour (0-23) it is now in `timeZone`, or undefined for an unknown zone. */
export function localHour(now: Date, timeZone: string): number | undefined {
  try {
    const h = new Intl.DateTimeFormat('en-GB', { timeZone, hour: 'numeric', hourCycle: 'h23' }).format(now);
    return Number(h);
  } catch {
    return undefined;
  }
}

/**
 * True when `now` falls in quiet hours [startHour, endHour) in the member's time zone (a window may
 * wrap midnight: 21 → 9). Members without a valid zone use `fallbackZone`.
 */
export function inQuietHours(now: Date, timeZone: string | undefined, quiet: { startHour: number; endHour: number }, fallbackZone: string): boolean {
  const hour = localHour(now, timeZone ?? fallbackZone) ?? localHour(now, fallbackZone) ?? now.getUTCHours();
  const { startHour: s, endHour: e } = quiet;
  if (s === e) return false;
  return s < e ? hour >= s && hour < e : hour >= s || hour < e;
}
