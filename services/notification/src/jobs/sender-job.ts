import { AsyncResource } from 'node:async_hooks';
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
  // A kick comes from inside a commit's callback, still in the transaction's async context: the
  // run it starts belongs to the context the job was started in (no transaction), or its calls to
  // the auth service would count as calls inside a transaction.
  const outsideAnyTransaction = AsyncResource.bind((start: () => void) => start());
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
    kick() {
      again = true;
      outsideAnyTransaction(() => void job.runNow());
    },
  };
}
