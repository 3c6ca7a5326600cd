import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { simpleParser } from 'mailparser';
import { AuthServiceClient } from '../gen/ecommerce/auth/v1/auth.js';
import { eventually } from '../lib/testing/eventually.js';
import { recipientsOf } from '../services/notification/test/smtp-sink.js';
import { uniqueEmail } from '../services/notification/test/support.js';
import { plainClient } from './support/clients.js';
import { startTestMesh, type TestMesh } from './support/mesh.js';

/*
 * The default a newcomer gets with `make run`: no SMTP server configured, so every mail is an .eml
 * file under DATA_DIR/mailbox. Registering through the auth service (real gRPC) produces the
 * verification mail with the link auth made.
 */
describe('notification flows: the mailbox folder without an SMTP server', function () {
  this.timeout(120_000);
  let mesh: TestMesh;
  let auth: ReturnType<typeof plainClient<typeof AuthServiceClient.service>>;

  before(async () => {
    mesh = await startTestMesh(['auth', 'notification'], {
      // The sender's own round comes only hourly: the mail goes out because its commit woke the sender.
      env: { NOTIFICATION_SMTP_URL: '', NOTIFICATION_SEND_INTERVAL_MS: '3600000' },
    });
    auth = plainClient(AuthServiceClient, mesh.address('auth'));
  });
  after(async () => {
    auth?.close();
    await mesh?.stop();
  });

  it('writes the verification mail of a registration, with its link, as an .eml file', async () => {
    const email = uniqueEmail('newcomer');
    const { userId } = await auth.register({
      email,
      password: 'correct-horse-battery-9',
      firstName: 'Grace',
      lastName: 'H',
    });
    const mailbox = join(mesh.dataDir, 'mailbox');
    const mails = async () => {
      if (!existsSync(mailbox)) return [];
      const files = readdirSync(mailbox).filter((name) => name.endsWith('.eml'));
      const parsed = await Promise.all(files.map((name) => simpleParser(readFileSync(join(mailbox, name)))));
      return parsed.filter((mail) => recipientsOf(mail).includes(email));
    };
    const [mail] = await eventually(async () => {
      const found = await mails();
      return found.length === 1 && found;
    });
    expect(mail!.subject).to.equal('Confirm your email address for Demo Store');
    expect(mail!.text).to.include('Hi Grace,');
    expect(mail!.text).to.include(`Please confirm that ${email} is your email address`);
    const link = /http:\/\/localhost:3000\/verify-email\?token=[\w-]+/.exec(mail!.text ?? '')?.[0];
    expect(link, 'the verification link').to.be.a('string');
    // Handlebars escapes `=` in HTML as `&#x3D;`, which a mail client shows as `=`.
    expect(String(mail!.html).replace(/&#x3D;/g, '=')).to.include(link!);

    const em = (await mesh.database('notification')).orm.em.fork();
    // The file is written before the attempt's outcome is committed.
    await eventually(async () => {
      const rows = await em.execute<{ status: string; user_id: string; recipient: string }[]>(
        "SELECT status, user_id, recipient FROM notifications WHERE notification_type = 'email_verification' AND recipient = ?",
        [email],
      );
      expect(rows).to.deep.equal([{ status: 'sent', user_id: userId, recipient: email }]);
      return true;
    });
  });
});
