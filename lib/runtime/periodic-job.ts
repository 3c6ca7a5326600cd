import type { Logger } from '../log.js';
import { backgroundJobRuns, backgroundJobLastSuccess } from '../metrics.js';
import type { BackgroundTask } from './service-module.js';

/** What a run is told: whether the job is being stopped, so a loop of batches can end early. */
export interface JobRun {
  stopping(): boolean;
}

export interface PeriodicJobOptions {
  /** Names the job in logs and metrics (`job` label), e.g. `events retention`. */
  name: string;
  /** The service it belongs to (`service` label): ten services share a process when embedded. */
  service: string;
  /** Pause between the end of one run and the start of the next. */
  intervalMs: number;
  /** Start the first run at once instead of after one interval. */
  runAtStart?: boolean;
  /**
   * One run. It must be safe to run on every replica at once (each job here works in idempotent,
   * bounded batches: a row two replicas both reach is changed or deleted once).
   */
  run(job: JobRun): Promise<void>;
  logger: Logger;
}

export interface PeriodicJob extends BackgroundTask {
  /** Runs now (or waits for the run in progress) and resolves when it ends; for tests and start-up. */
  runNow(): Promise<void>;
}

/**
 * The one shape of a service's background job: a named run every `intervalMs`, never overlapping
 * itself (the next run is scheduled only when the previous one ended), a failed run logged and
 * counted (`background_job_runs_total{outcome="failed"}`) and tried again at the next tick.
 * `stop` cancels the next run and waits for the one in progress.
 */
export function startPeriodicJob(options: PeriodicJobOptions): PeriodicJob {
  const { name, service, intervalMs } = options;
  const log = options.logger.child({ job: name });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const job: JobRun = { stopping: () => stopped };

  const runOnce = async (): Promise<void> => {
    try {
      await options.run(job);
      backgroundJobRuns.inc({ service, job: name, outcome: 'succeeded' });
      backgroundJobLastSuccess.set({ service, job: name }, Date.now() / 1000);
    } catch (error) {
      backgroundJobRuns.inc({ service, job: name, outcome: 'failed' });
      log.error({ err: error }, 'background job run failed; trying again at the next interval');
    }
  };
  const start = (): Promise<void> => {
    clearTimeout(timer);
    running ??= runOnce().finally(() => {
      running = undefined;
      schedule();
    });
    return running;
  };
  const schedule = (): void => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void start(), intervalMs);
    timer.unref();
  };

  if (options.runAtStart) void start();
  else schedule();

  return {
    name,
    runNow: () => (stopped ? Promise.resolve() : start()),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
