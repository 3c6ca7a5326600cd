import { randomUUID } from 'node:crypto';
import {
  EmailVerificationRequested,
  PasswordResetRequested,
  UserDeactivated,
  UserEmailVerified,
  UserReactivated,
  UserRegistered,
} from '../../gen/ecommerce/auth/v1/events.js';
import { connectNatsTransport, decodeEnvelope, type EventTransport } from '../../lib/events/index.js';
import { eventually } from '../../lib/testing/eventually.js';
import type { TestMesh } from './mesh.js';

const CODECS = {
  'auth.user.registered': UserRegistered,
  'auth.email_verification.requested': EmailVerificationRequested,
  'auth.user.email_verified': UserEmailVerified,
  'auth.user.deactivated': UserDeactivated,
  'auth.user.reactivated': UserReactivated,
  'auth.password_reset.requested': PasswordResetRequested,
} as const;

type Subject = keyof typeof CODECS;
type MessageOf<S extends Subject> = ReturnType<(typeof CODECS)[S]['decode']>;

/**
 * Reads the auth service's events as a consumer of its own would: a durable subscription on the
 * mesh's event transport (a fresh durable per tap, so it sees only what is published from now on).
 * Tests take the links of verification and reset emails from here, as the notification service will.
 */
export class AuthEventTap {
  private readonly seen: { subject: string; message: unknown }[] = [];
  private constructor(private readonly stopFns: (() => Promise<void>)[]) {}

  static async start(mesh: TestMesh): Promise<AuthEventTap> {
    let transport: EventTransport | undefined = mesh.events;
    const stopFns: (() => Promise<void>)[] = [];
    if (!transport) {
      if (!process.env.NATS_URL) throw new Error('a process mesh needs NATS_URL to observe events');
      const nats = await connectNatsTransport(process.env.NATS_URL, { name: 'auth-event-tap' });
      transport = nats;
      stopFns.push(() => nats.close());
    }
    const tap = new AuthEventTap(stopFns);
    const subscription = await transport.subscribe(
      {
        stream: 'auth',
        durable: `tap-${randomUUID()}`,
        subjects: Object.keys(CODECS),
        maxDeliver: 5,
        backoffMs: [50],
      },
      async (delivery) => {
        const codec = CODECS[delivery.subject as Subject];
        if (!codec) return;
        tap.seen.push({
          subject: delivery.subject,
          message: codec.decode(decodeEnvelope(delivery.envelope).payload),
        });
      },
    );
    stopFns.unshift(() => subscription.stop());
    return tap;
  }

  /** Every event of `subject` seen so far that matches. */
  all<S extends Subject>(subject: S, match: (message: MessageOf<S>) => boolean = () => true): MessageOf<S>[] {
    return this.seen
      .filter((event) => event.subject === subject)
      .map((event) => event.message as MessageOf<S>)
      .filter(match);
  }

  /** Waits for the first event of `subject` that matches. */
  next<S extends Subject>(subject: S, match: (message: MessageOf<S>) => boolean): Promise<MessageOf<S>> {
    return eventually(() => this.all(subject, match)[0], { timeoutMs: 15_000, what: `${subject} event` });
  }

  /** Stop after the mesh: an in-process durable without members would hold the relays' publishes. */
  async stop(): Promise<void> {
    for (const stop of this.stopFns) await stop().catch(() => undefined);
  }
}

/** The `token` query parameter of an email link. */
export function tokenOfLink(link: string): string {
  const token = new URL(link).searchParams.get('token');
  if (!token) throw new Error(`no token in ${link}`);
  return token;
}
