import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { recipientsOf } from '../../services/notification/test/smtp-sink.js';

/**
 * The mail the platform wrote without an SMTP server: one `.eml` file per message under
 * `<DATA_DIR>/mailbox`, as a newcomer finds it after `make run`.
 */
export class Mailbox {
  constructor(private readonly dataDir: string) {}

  /** Every message sent to `email` so far, parsed. */
  async to(email: string): Promise<ParsedMail[]> {
    const folder = join(this.dataDir, 'mailbox');
    if (!existsSync(folder)) return [];
    const files = readdirSync(folder)
      .filter((name) => name.endsWith('.eml'))
      .sort();
    const mails = await Promise.all(files.map((name) => simpleParser(readFileSync(join(folder, name)))));
    return mails.filter((mail) => recipientsOf(mail).includes(email.toLowerCase()));
  }

  /** The subjects of the messages sent to `email` so far. */
  async subjectsTo(email: string): Promise<string[]> {
    return (await this.to(email)).map((mail) => mail.subject ?? '');
  }
}
