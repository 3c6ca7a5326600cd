import { join } from 'node:path';
import {
  ConfigError,
  readBoolean,
  readInt,
  readString,
  readUrl,
  type Env,
} from '../../../lib/config/index.js';
import { emailProblem } from '../../../lib/validation/index.js';

/** The notification service's own settings, read once at start. */
export interface NotificationSettings {
  /** The SMTP server mail goes through; undefined writes each mail as a file into `mailboxDir`. */
  smtpUrl: string | undefined;
  /** Where mail goes without an SMTP server: `<DATA_DIR>/mailbox`, one `.eml` file per message. */
  mailboxDir: string;
  /** The From header of every mail. */
  mailFrom: string;
  /** Who receives the shop's alerts (low stock). */
  adminEmails: string[];
  /** The store's name and address, as the templates show them. */
  storeName: string;
  storeUrl: string;
  /** Attempts of one message before it is marked failed. */
  maxAttempts: number;
  /** The wait after the first failed attempt, doubling after each one, capped at `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How often the sender looks for due messages (it is also woken when a message is written). */
  sendIntervalMs: number;
  /** How long a claimed message is the claiming sender's before another replica may take it. */
  sendLeaseMs: number;
  /** Messages claimed per batch. */
  sendBatchSize: number;
}

function readEmailList(env: Env, name: string): string[] {
  const raw = readString(env, name, '')!;
  const emails = raw
    .split(',')
    .map((email) => email.trim().toLowerCase())
    .filter((email) => email !== '');
  for (const email of emails) {
    const problem = emailProblem(email);
    if (problem) throw new ConfigError(name, `"${email}" ${problem}`);
  }
  return [...new Set(emails)];
}

/**
 * The SMTP server, required in production: without one every mail is only a file in the pod,
 * which no customer receives. NOTIFICATION_MAILBOX_IN_PRODUCTION=true allows the mailbox folder
 * for a cluster whose mail nobody must receive (a demonstration).
 */
function readSmtpUrl(env: Env, production: boolean): string | undefined {
  const smtpUrl = readUrl(env, 'NOTIFICATION_SMTP_URL', ['smtp:', 'smtps:'])?.toString();
  if (production && !smtpUrl && !readBoolean(env, 'NOTIFICATION_MAILBOX_IN_PRODUCTION', false)) {
    throw new ConfigError(
      'NOTIFICATION_SMTP_URL',
      'is required in production: without it mail is only written to files that no customer receives ' +
        '(set NOTIFICATION_MAILBOX_IN_PRODUCTION=true only for a cluster whose mail nobody must receive)',
    );
  }
  return smtpUrl;
}

/**
 * NOTIFICATION_SMTP_URL (smtp:// or smtps://, unset: the mailbox folder, refused in production
 * unless NOTIFICATION_MAILBOX_IN_PRODUCTION=true), NOTIFICATION_MAIL_FROM,
 * NOTIFICATION_ADMIN_EMAILS (comma-separated), NOTIFICATION_STORE_NAME, NOTIFICATION_STORE_URL,
 * NOTIFICATION_MAX_ATTEMPTS, NOTIFICATION_RETRY_BASE_MS, NOTIFICATION_RETRY_MAX_MS,
 * NOTIFICATION_SEND_INTERVAL_MS, NOTIFICATION_SEND_LEASE_MS.
 */
export function notificationSettingsFrom(
  env: Env,
  dataDir: string,
  production: boolean,
): NotificationSettings {
  const retryBaseMs = readInt(env, 'NOTIFICATION_RETRY_BASE_MS', 30_000, { min: 10, max: 86_400_000 });
  const retryMaxMs = readInt(env, 'NOTIFICATION_RETRY_MAX_MS', 3_600_000, { min: 10, max: 86_400_000 });
  if (retryMaxMs < retryBaseMs) {
    throw new ConfigError(
      'NOTIFICATION_RETRY_MAX_MS',
      `must be at least NOTIFICATION_RETRY_BASE_MS (${retryBaseMs})`,
    );
  }
  return {
    smtpUrl: readSmtpUrl(env, production),
    mailboxDir: join(dataDir, 'mailbox'),
    mailFrom: readString(env, 'NOTIFICATION_MAIL_FROM', 'Demo Store <no-reply@shop.example>')!,
    adminEmails: readEmailList(env, 'NOTIFICATION_ADMIN_EMAILS'),
    storeName: readString(env, 'NOTIFICATION_STORE_NAME', 'Demo Store')!,
    storeUrl:
      readUrl(env, 'NOTIFICATION_STORE_URL', ['http:', 'https:'])?.toString().replace(/\/$/, '') ??
      'http://localhost:3000',
    maxAttempts: readInt(env, 'NOTIFICATION_MAX_ATTEMPTS', 8, { min: 1, max: 100 }),
    retryBaseMs,
    retryMaxMs,
    sendIntervalMs: readInt(env, 'NOTIFICATION_SEND_INTERVAL_MS', 5_000, { min: 10, max: 3_600_000 }),
    sendLeaseMs: readInt(env, 'NOTIFICATION_SEND_LEASE_MS', 300_000, { min: 60_000, max: 3_600_000 }),
    sendBatchSize: 20,
  };
}
