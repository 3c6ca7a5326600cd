import { expect } from 'chai';
import {
  InProcessTransport,
  OutboxRelay,
  publishEvent,
  startConsumer,
  type RunningConsumer,
} from '../../../lib/events/index.js';
import { UserRegisteredEvent } from '../../../lib/events/catalog.js';
import { newId } from '../../../lib/ids.js';
import { eventually } from '../../../lib/testing/eventually.js';
import { quietLogger } from '../../../lib/testing/quiet-logger.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { authEventHandlers } from '../src/consumers/bindings.js';
import { eventLogInbox } from '../src/consumers/event-log-inbox.js';
import { UserProfile } from '../src/entities/user-profile.js';
import { countRows, openUserDatabase } from './support.js';

/**
 * auth → user as it runs: auth's outbox, the relay, the in-process transport, the user service's
 * consumer, handlers and event log. A registration whose name holds a NUL byte (PostgreSQL refuses
 * it in text) is written to auth's outbox directly, below the gRPC edge that now refuses it.
 */
describe('user service: one bad registration never stops the auth → user stream', function () {
  this.timeout(60_000);
  let authDb: ScratchDatabase;
  let userDb: ScratchDatabase;
  let transport: InProcessTransport;
  let relay: OutboxRelay;
  let consumer: RunningConsumer;

  before(async () => {
    authDb = await openScratchDatabase('auth_outbox_stream');
    userDb = await openUserDatabase('user_stream');
    transport = new InProcessTransport({ logger: quietLogger() });
    consumer = await startConsumer({
      orm: userDb.orm,
      transport,
      consumer: 'user-from-auth',
      source: 'auth',
      inbox: eventLogInbox,
      handlers: authEventHandlers,
      backoffMs: [20],
      logger: quietLogger(),
    });
    relay = new OutboxRelay({
      orm: authDb.orm,
      transport,
      source: 'auth',
      logger: quietLogger(),
      idlePollMs: 20,
    });
    relay.start();
    transport.open();
  });
  after(async () => {
    await relay?.stop();
    await consumer?.stop();
    await transport?.close();
    await authDb?.drop();
    await userDb?.drop();
  });

  const register = (userId: string, firstName: string) =>
    authDb.orm.em.fork().transactional((em) =>
      publishEvent(em, 'auth', UserRegisteredEvent, {
        userId,
        email: `${userId}@example.com`,
        firstName,
        lastName: 'Lovelace\uD800',
        registeredAt: new Date(),
      }),
    );

  it('parks the bad registration and gives every later one its profile', async () => {
    const mallory = newId();
    const poison = await register(mallory, 'Mal\u0000lory');
    const later = [newId(), newId()];
    for (const userId of later) await register(userId, 'Ada');

    for (const userId of later) {
      await eventually(async () => (await userDb.orm.em.fork().count(UserProfile, { userId })) === 1, {
        what: `the profile of a registration after the bad one`,
      });
    }
    const [parked] = await eventually(async () => {
      const rows = await userDb.orm.em
        .fork()
        .execute<{ event_id: string; error: string; envelope: Uint8Array }[]>(
          'SELECT event_id, error, envelope FROM infra.dead_letters WHERE consumer = ?',
          ['user-from-auth'],
        );
      return rows.length > 0 && rows;
    });
    expect(parked!.event_id).to.equal(poison);
    expect(parked!.error).to.not.include('\u0000');
    expect(await userDb.orm.em.fork().count(UserProfile, { userId: mallory })).to.equal(0);
    await eventually(async () => (await countRows(authDb, 'infra.outbox WHERE published_at IS NULL')) === 0, {
      what: 'every auth event published',
    });
  });
});
