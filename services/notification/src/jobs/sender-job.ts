import { startPeriodicJob, type PeriodicJob } from '../../../../lib/runtime/periodic-job.js';
import { sendDueNotifications, type SenderDeps } from '../domain/delivery/send-due.js';

export interface SenderJob extends PeriodicJob {
  /** Delivers now what is due (a message was just queued); a kick during a run makes it go round once more. */
  kick(): void;
}

/**
 * The sender: every `intervalMs` (and at start, for what a stopped replica left) it delivers the
 * due pending emails; a commit that queued one kicks it at once. Safe with several replicas: each
 * row is claimed by one (sendDueNotifications).
 */
export function startSenderJob(deps: SenderDeps, intervalMs: number): SenderJob {
  let again = false;
  const job = startPeriodicJob({
    name: 'notification sender',
    service: 'notification',
    intervalMs,
    runAtStart: true,
    logger: deps.logger,
    async run(run) {
      do {
        again = false;
        await sendDueNotifications(deps, () => run.stopping());
      } while (again && !run.stopping());
    },
  });
  return {
    ...job,
    name: job.name,
    stop: () => job.stop(),
    runNow: () => job.runNow(),
    kick() {
      again = true;
      void job.runNow();
    },
  };
}
