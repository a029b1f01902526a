/**
 * The progress bar of long runs (cli-progress, on stderr). Without a terminal it prints a line with
 * the counts every few seconds instead, so logs of CI and benchmarks show progress too.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(shoppers: number, payload: { events: number; rate: number; note?: string }): void;
  stop(): void;
}

export function createProgress(options: { total: number; label: string; enabled: boolean }): Progress {
  if (!options.enabled) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${options.label} {bar} {percentage}% | shoppers {value}/{total} | events {events} | {rate} events/s | ETA {eta_formatted} {note}`,
      barsize: 24,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5_000,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(options.total, 0, { events: 0, rate: 0, note: '' });
  return {
    update: (shoppers, payload) => bar.update(shoppers, { note: '', ...payload, events: payload.events.toLocaleString('en-US'), rate: Math.round(payload.rate).toLocaleString('en-US') }),
    stop: () => bar.stop(),
  };
}
