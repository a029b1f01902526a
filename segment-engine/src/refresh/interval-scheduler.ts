/**
 * The in-process refresh scheduler of the embedded mode: runs `job` every `intervalMs`, never two at
 * once (a run still going when the next is due is skipped), errors logged and the timer kept. A
 * multi-process deployment runs one scheduler (one process with the admin role).
 */
export interface IntervalScheduler {
  /** Runs the job now unless a run is going; resolves with its result. */
  runNow<T>(job: () => Promise<T>): Promise<T>;
  readonly running: boolean;
  stop(): void;
}

export function createIntervalScheduler(job: () => Promise<unknown>, intervalMs: number, onError: (err: unknown) => void): IntervalScheduler {
  let running = false;
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (running) throw new Error('a refresh is already running');
    running = true;
    try {
      return await fn();
    } finally {
      running = false;
    }
  };
  const timer = intervalMs > 0 ? setInterval(() => void (running ? undefined : guard(job).catch(onError)), intervalMs) : undefined;
  timer?.unref();
  return {
    runNow: guard,
    get running() {
      return running;
    },
    stop: () => clearInterval(timer),
  };
}
