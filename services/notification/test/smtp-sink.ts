import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../../../lib/testing/free-port.js';

/**
 * A real SMTP server for tests (smtp-server on 127.0.0.1, a port chosen at run time): every mail
 * it accepts is parsed with mailparser and kept. `stop` closes it (the port then refuses
 * connections, as a server that is down would) and `start` opens it again on the same port.
 */
export class SmtpSink {
  readonly received: ParsedMail[] = [];
  /** Connections clients opened to it, over every start. */
  connections = 0;
  private server: SMTPServer | undefined;

  private constructor(readonly port: number) {}

  /** A sink whose port is chosen now; listening only if `listening` (default true). */
  static async create(listening = true): Promise<SmtpSink> {
    const sink = new SmtpSink(await freePort());
    if (listening) await sink.start();
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      // A server going down tells its connected clients so (421) at once, not after 30 s of grace.
      closeTimeout: 100,
      onConnect: (_session, callback) => {
        this.connections++;
        callback();
      },
      onData: (stream, _session, callback) => {
        simpleParser(stream).then(
          (mail) => {
            this.received.push(mail);
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The mails received for one address. */
  to(address: string): ParsedMail[] {
    return this.received.filter((mail) => recipientsOf(mail).includes(address.toLowerCase()));
  }
}

export function recipientsOf(mail: ParsedMail): string[] {
  const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
  return to.flatMap((group) => group.value.map((address) => (address.address ?? '').toLowerCase()));
}
