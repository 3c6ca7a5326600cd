import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import {
  MailRefusedError,
  type MailReceipt,
  type MailTransport,
  type OutgoingMail,
} from '../domain/delivery/delivery-ports.js';

/** Every socket wait of an SMTP send ends well within the sender's lease (NOTIFICATION_SEND_LEASE_MS). */
const SMTP_TIMEOUT_MS = 20_000;

/**
 * How long the connection stays open after the last mail: across a burst, not for hours. Below the
 * socket timeout, so an idle connection is ended with a QUIT rather than by timing out.
 */
const SMTP_IDLE_MS = 15_000;

function messageIdOf(mail: OutgoingMail, from: string): string {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'notification.local';
  return `<${mail.notificationId}@${domain}>`;
}

function mailOptionsOf(mail: OutgoingMail, from: string) {
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    ...(mail.html === null ? {} : { html: mail.html }),
    messageId: messageIdOf(mail, from),
    headers: { 'X-Notification-Id': mail.notificationId },
  };
}

/**
 * Mail through an SMTP server (NOTIFICATION_SMTP_URL). A 5xx answer is a refusal for good. The
 * connection is kept for the next mails (nodemailer's pool: one sender sends one mail at a time, so
 * one connection) rather than a TCP and TLS handshake and a login per mail; a connection the server
 * dropped is opened again for the next mail. A mail whose connection closed mid-send is a failed
 * attempt (no requeue inside the pool): the sender's retries and their log decide what follows.
 */
export function smtpMailTransport(url: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: 1,
    maxRequeues: 0,
    idleTimeout: SMTP_IDLE_MS,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  } as SMTPTransport.Options);
  return {
    provider: 'smtp',
    async send(mail): Promise<MailReceipt> {
      try {
        const info = await transporter.sendMail(mailOptionsOf(mail, from));
        return { messageId: info.messageId, response: info.response };
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500 && code < 600) {
          throw new MailRefusedError(`SMTP server refused the mail: ${(error as Error).message}`);
        }
        throw error;
      }
    },
    close: () => transporter.close(),
  };
}

/**
 * Without an SMTP server: each mail, as the RFC 822 message an SMTP server would have received,
 * written to `<dir>/<time>-<notification id>.eml` (any mail client opens it). Written under a
 * temporary name and renamed, so a reader never sees half a message.
 */
export function mailboxMailTransport(dir: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    provider: 'mailbox',
    async send(mail): Promise<MailReceipt> {
      const info = await transporter.sendMail(mailOptionsOf(mail, from));
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.notificationId}.eml`;
      const path = join(dir, name);
      await writeFile(`${path}.tmp`, info.message as Buffer).catch(async (error: NodeJS.ErrnoException) => {
        // The folder is made when the first mail finds it missing (or deleted since), not per mail.
        if (error.code !== 'ENOENT') throw error;
        await mkdir(dir, { recursive: true });
        await writeFile(`${path}.tmp`, info.message as Buffer);
      });
      await rename(`${path}.tmp`, path);
      return { messageId: info.messageId, response: `written to ${path}` };
    },
    close: () => transporter.close(),
  };
}
