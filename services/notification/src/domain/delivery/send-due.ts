import type { MikroORM } from '@mikro-orm/postgresql';
import { NotificationChannel } from '../../../../../gen/ecommerce/notification/v1/events.js';
import { executePrepared } from '../../../../../lib/db/prepared-statement.js';
import { NotificationSentEvent } from '../../../../../lib/events/catalog.js';
import {
  insertOutboxRowFrom,
  outboxRowOf,
  outboxRowParams,
  outboxWritten,
} from '../../../../../lib/events/index.js';
import { newId } from '../../../../../lib/ids.js';
import type { Logger } from '../../../../../lib/log.js';
import { deliveriesGivenUp, deliveryAttempts } from './delivery-metrics.js';
import { MailRefusedError, type MailTransport, type RecipientDirectory } from './delivery-ports.js';

export interface SenderPolicy {
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  sendLeaseMs: number;
  sendBatchSize: number;
}

export interface SenderDeps {
  orm: MikroORM;
  mail: MailTransport;
  directory: RecipientDirectory;
  policy: SenderPolicy;
  logger: Logger;
}

interface ClaimedRow {
  id: string;
  user_id: string | null;
  recipient: string | null;
  notification_type: string;
  subject: string | null;
  body: string;
  body_html: string | null;
  attempts: number;
  event_id: string | null;
  scheduled_at: Date;
}

type Outcome =
  | { kind: 'sent'; to: string; messageId: string; response: string }
  | { kind: 'failed'; to: string | null; error: string; final: 'bounced' | 'no_account' | null };

/** The wait after the `attempt`-th failure: the base doubling each time, capped. */
export function retryDelayMs(policy: SenderPolicy, attempt: number): number {
  return Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.min(attempt - 1, 30));
}

/**
 * Claims due pending emails in one autocommit statement: their `scheduled_at` moves to the end of
 * this sender's lease (`FOR UPDATE SKIP LOCKED`: two replicas never claim the same row). The lease
 * is the claim's token: the outcome is written only where `scheduled_at` still holds it. A sender
 * that dies leaves its rows to be claimed again when the lease runs out. Prepared once per
 * connection: it runs for every notification, and planning it over the partitions cost several
 * times more than running it.
 */
async function claimDue(deps: SenderDeps, lease: Date): Promise<ClaimedRow[]> {
  return executePrepared<ClaimedRow>(
    deps.orm.em.fork(),
    'notification:claim-due',
    `UPDATE notifications SET scheduled_at = ?, updated_at = now()
      WHERE (id, created_at) IN (
        SELECT id, created_at FROM notifications
         WHERE status = 'pending' AND channel = 'email' AND scheduled_at <= now()
         ORDER BY scheduled_at LIMIT ? FOR UPDATE SKIP LOCKED)
      RETURNING id, user_id, recipient, notification_type, subject, body, body_html, attempts, event_id, scheduled_at`,
    [lease, deps.policy.sendBatchSize],
  );
}

async function attempt(deps: SenderDeps, row: ClaimedRow): Promise<Outcome> {
  let to = row.recipient;
  try {
    if (to === null) {
      if (row.user_id === null) return { kind: 'failed', to, error: 'no recipient', final: 'no_account' };
      to = await deps.directory.emailOf(row.user_id);
      if (to === null) {
        return { kind: 'failed', to, error: `account ${row.user_id} does not exist`, final: 'no_account' };
      }
    }
    const receipt = await deps.mail.send({
      notificationId: row.id,
      to,
      subject: row.subject ?? '',
      text: row.body,
      html: row.body_html,
    });
    return { kind: 'sent', to, ...receipt };
  } catch (error) {
    const refused = error instanceof MailRefusedError;
    return { kind: 'failed', to, error: (error as Error).message, final: refused ? 'bounced' : null };
  }
}

/*
 * A mail that went out, recorded in one statement (it runs once per mail): the notification sent
 * (only while this sender's claim holds), the attempt's log row, and the event when it was still
 * ours. The same rows as `record` writes for a sent mail.
 */
const RECORD_SENT_SQL = `
  WITH sent AS (
    UPDATE notifications SET status = 'sent', attempts = :attempt, recipient = COALESCE(:to, recipient),
      sent_at = now(), updated_at = now()
     WHERE id = :id AND status = 'pending' AND scheduled_at = :lease
    RETURNING id),
  logged AS (
    INSERT INTO notification_logs (id, notification_id, attempt, status, provider, provider_message_id,
      provider_response, error)
    VALUES (:logId, :id, :attempt, 'sent', :provider, :messageId, :response::jsonb, NULL)),
  announced AS (
    ${insertOutboxRowFrom('sent')})
  SELECT count(*)::int AS sent FROM sent`;

async function recordSent(
  deps: SenderDeps,
  row: ClaimedRow,
  outcome: Outcome & { kind: 'sent' },
): Promise<void> {
  const em = deps.orm.em.fork();
  const announcement = outboxRowOf('notification', NotificationSentEvent, sentEventOf(row));
  const [recorded] = await executePrepared<{ sent: number }>(
    em,
    'notification:record-sent',
    RECORD_SENT_SQL,
    {
      attempt: row.attempts + 1,
      to: outcome.to,
      id: row.id,
      lease: row.scheduled_at,
      logId: newId(),
      provider: deps.mail.provider,
      messageId: outcome.messageId,
      response: JSON.stringify({ response: outcome.response }),
      ...outboxRowParams(announcement),
    },
  );
  deliveryAttempts.inc({ channel: 'email', provider: deps.mail.provider, outcome: 'sent' });
  if (recorded?.sent === 1) outboxWritten(em, announcement);
  else deps.logger.warn({ notificationId: row.id }, LOST_CLAIM);
}

const LOST_CLAIM = 'the claim ran out before the attempt ended; another sender owns it now';

function sentEventOf(row: ClaimedRow) {
  return {
    notificationId: row.id,
    userId: row.user_id ?? '',
    channel: NotificationChannel.NOTIFICATION_CHANNEL_EMAIL,
    template: row.notification_type,
    causeEventId: row.event_id ?? '',
    sentAt: new Date(),
  };
}

/** Writes one attempt's outcome and its log row (and, for a mail that went out, its event: `recordSent`). */
async function record(deps: SenderDeps, row: ClaimedRow, outcome: Outcome): Promise<void> {
  if (outcome.kind === 'sent') return recordSent(deps, row, outcome);
  return recordFailure(deps, row, outcome);
}

/** A failed attempt: tried again later (pending), or given up (failed, bounced). */
async function recordFailure(
  deps: SenderDeps,
  row: ClaimedRow,
  outcome: Outcome & { kind: 'failed' },
): Promise<void> {
  const { policy, mail, logger } = deps;
  const attemptNo = row.attempts + 1;
  await deps.orm.em.fork().transactional(async (tx) => {
    const logStatus = outcome.final === 'bounced' ? 'bounced' : 'failed';
    const status =
      logStatus === 'bounced'
        ? 'bounced'
        : outcome.final !== null || attemptNo >= policy.maxAttempts
          ? 'failed'
          : 'pending';
    const next =
      status === 'pending' ? new Date(Date.now() + retryDelayMs(policy, attemptNo)) : row.scheduled_at;
    const result = await tx.execute(
      `UPDATE notifications SET status = ?, attempts = ?, recipient = COALESCE(?, recipient), scheduled_at = ?,
         updated_at = now()
       WHERE id = ? AND status = 'pending' AND scheduled_at = ?`,
      [status, attemptNo, outcome.to, next, row.id, row.scheduled_at],
      'run',
    );
    const stillOurs = (result as { affectedRows?: number }).affectedRows === 1;
    await tx.execute(
      `INSERT INTO notification_logs (id, notification_id, attempt, status, provider, provider_message_id,
         provider_response, error) VALUES (?, ?, ?, ?, ?, NULL, NULL, ?)`,
      [newId(), row.id, attemptNo, logStatus, mail.provider, outcome.error.slice(0, 2000)],
    );
    deliveryAttempts.inc({ channel: 'email', provider: mail.provider, outcome: logStatus });
    if (!stillOurs) {
      logger.warn({ notificationId: row.id }, LOST_CLAIM);
    } else if (status !== 'pending') {
      const cause = outcome.final === 'bounced' ? 'refused' : (outcome.final ?? 'attempts_exhausted');
      deliveriesGivenUp.inc({ cause });
      logger.error(
        { notificationId: row.id, attempts: attemptNo, error: outcome.error },
        'notification not delivered: giving up',
      );
    } else {
      logger.warn(
        { notificationId: row.id, attempt: attemptNo, error: outcome.error },
        'delivery failed; will retry',
      );
    }
  });
}

/**
 * Delivers every due pending email, a batch at a time, until none is due (or `stopping`). Each
 * attempt is logged in `notification_logs`; a failure is tried again after `retryDelayMs`, and
 * after `maxAttempts` the message is failed. Returns how many were claimed.
 */
export async function sendDueNotifications(
  deps: SenderDeps,
  stopping: () => boolean = () => false,
): Promise<number> {
  let claimed = 0;
  for (;;) {
    const lease = new Date(Date.now() + deps.policy.sendLeaseMs);
    const rows = await claimDue(deps, lease);
    claimed += rows.length;
    for (const row of rows) {
      // An attempt starts only while half the lease is left (an SMTP attempt is bounded well below
      // that): the rest of the batch is left to the next claim rather than sent by a sender whose
      // claim may run out mid-send and pass the row to another.
      if (Date.now() > lease.getTime() - deps.policy.sendLeaseMs / 2) break;
      const outcome = await attempt(deps, { ...row, scheduled_at: lease });
      await record(deps, { ...row, scheduled_at: lease }, outcome);
    }
    if (rows.length < deps.policy.sendBatchSize || stopping()) return claimed;
  }
}
