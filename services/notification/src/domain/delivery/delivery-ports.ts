/** One mail as the sender hands it to the transport. */
export interface OutgoingMail {
  notificationId: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
}

/** What the transport's server said when it accepted the mail. */
export interface MailReceipt {
  messageId: string;
  response: string;
}

/**
 * Where mail goes (SMTP, or the mailbox folder). `send` resolves once the server accepted the mail
 * and throws otherwise; a `MailRefusedError` means the server refused this mail for good.
 */
export interface MailTransport {
  readonly provider: string;
  send(mail: OutgoingMail): Promise<MailReceipt>;
  close(): void;
}

/** The server refused the mail for good (an SMTP 5xx answer): sending it again cannot help. */
export class MailRefusedError extends Error {
  override name = 'MailRefusedError';
}

/** Finds the address of an account; null when there is no such account. */
export interface RecipientDirectory {
  emailOf(userId: string): Promise<string | null>;
}
