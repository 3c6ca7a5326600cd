import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { newId } from '../../../lib/ids.js';
import { freePort } from '../../../lib/testing/free-port.js';
import { mailboxMailTransport, smtpMailTransport } from '../src/clients/mail-transport.js';
import { MailRefusedError, type OutgoingMail } from '../src/domain/delivery/delivery-ports.js';
import { recipientsOf, SmtpSink } from './smtp-sink.js';

const FROM = 'Test Store <no-reply@shop.test>';

function mailTo(to: string): OutgoingMail {
  return {
    notificationId: newId(),
    to,
    subject: 'Order ORD-1 confirmed',
    text: 'Hi <Ada> & co,\n\nthanks.',
    html: '<p>Hi &lt;Ada&gt; &amp; co,</p>',
  };
}

describe('notification service: mail transports', function () {
  it('hands a mail to a real SMTP server: recipient, subject, both bodies and the message id', async () => {
    const sink = await SmtpSink.create();
    const transport = smtpMailTransport(sink.url, FROM);
    try {
      const mail = mailTo('ada@example.test');
      const receipt = await transport.send(mail);
      expect(receipt.messageId).to.equal(`<${mail.notificationId}@shop.test>`);
      expect(receipt.response).to.match(/^250 /);
      expect(sink.received).to.have.length(1);
      const [parsed] = sink.received;
      expect(recipientsOf(parsed!)).to.deep.equal(['ada@example.test']);
      expect(parsed!.subject).to.equal('Order ORD-1 confirmed');
      expect(parsed!.from?.value[0]).to.include({ name: 'Test Store', address: 'no-reply@shop.test' });
      expect(parsed!.text).to.equal('Hi <Ada> & co,\n\nthanks.');
      expect(parsed!.html).to.equal('<p>Hi &lt;Ada&gt; &amp; co,</p>');
      expect(parsed!.headers.get('x-notification-id')).to.equal(mail.notificationId);
    } finally {
      transport.close();
      await sink.stop();
    }
  });

  it('sends mail after mail over one connection, and opens another once the server dropped it', async () => {
    const sink = await SmtpSink.create();
    const transport = smtpMailTransport(sink.url, FROM);
    try {
      for (const to of ['a@example.test', 'b@example.test', 'c@example.test'])
        await transport.send(mailTo(to));
      expect(sink.received.map((mail) => recipientsOf(mail)[0])).to.deep.equal([
        'a@example.test',
        'b@example.test',
        'c@example.test',
      ]);
      expect(sink.connections, 'one connection for the three').to.equal(1);

      await sink.stop();
      await sink.start();
      await transport.send(mailTo('d@example.test'));
      expect(recipientsOf(sink.received[3]!)).to.deep.equal(['d@example.test']);
      expect(sink.connections, 'a new one after the restart').to.equal(2);
    } finally {
      transport.close();
      await sink.stop();
    }
  });

  it('fails an attempt while the server is down, and treats a 5xx answer as a refusal for good', async () => {
    const down = smtpMailTransport(`smtp://127.0.0.1:${await freePort()}`, FROM);
    try {
      const failure = await down.send(mailTo('ada@example.test')).catch((error: unknown) => error);
      expect(failure).to.be.instanceOf(Error).and.not.instanceOf(MailRefusedError);
      expect((failure as Error).message).to.include('ECONNREFUSED');
    } finally {
      down.close();
    }

    const port = await freePort();
    const refusing = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (_address, _session, callback) =>
        callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 })),
    });
    await new Promise<void>((resolve) => refusing.listen(port, '127.0.0.1', () => resolve()));
    const transport = smtpMailTransport(`smtp://127.0.0.1:${port}`, FROM);
    try {
      const refused = await transport.send(mailTo('nobody@example.test')).catch((error: unknown) => error);
      expect(refused).to.be.instanceOf(MailRefusedError);
      expect((refused as Error).message).to.include('550');
    } finally {
      transport.close();
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });

  it('writes each mail as an .eml file into the mailbox folder when no SMTP server is configured', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mailbox-test-')), 'mailbox');
    const transport = mailboxMailTransport(dir, FROM);
    try {
      const mail = mailTo('ada@example.test');
      const receipt = await transport.send(mail);
      const files = readdirSync(dir);
      expect(files).to.have.length(1);
      expect(files[0]).to.match(new RegExp(`-${mail.notificationId}\\.eml$`));
      expect(receipt.response).to.equal(`written to ${join(dir, files[0]!)}`);
      const parsed = await simpleParser(readFileSync(join(dir, files[0]!)));
      expect(recipientsOf(parsed)).to.deep.equal(['ada@example.test']);
      expect(parsed.subject).to.equal('Order ORD-1 confirmed');
      expect(parsed.text).to.equal('Hi <Ada> & co,\n\nthanks.');
      expect(parsed.html).to.equal('<p>Hi &lt;Ada&gt; &amp; co,</p>');
      expect(parsed.messageId).to.equal(`<${mail.notificationId}@shop.test>`);
    } finally {
      transport.close();
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
  });

  it('makes the mailbox folder again when it was deleted between two mails', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mailbox-test-')), 'mailbox');
    const transport = mailboxMailTransport(dir, FROM);
    try {
      await transport.send(mailTo('ada@example.test'));
      rmSync(dir, { recursive: true });
      const second = mailTo('bob@example.test');
      await transport.send(second);
      expect(readdirSync(dir)).to.have.length(1);
      expect(readdirSync(dir)[0]).to.match(new RegExp(`-${second.notificationId}\\.eml$`));
    } finally {
      transport.close();
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
  });
});
