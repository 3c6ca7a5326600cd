import { expect } from 'chai';
import { UserRegistered } from '../../../gen/ecommerce/auth/v1/events.js';
import { UserProfileCreated } from '../../../gen/ecommerce/user/v1/events.js';
import {
  decodeEnvelope,
  encodeEnvelope,
  InProcessTransport,
  startConsumer,
  on,
  type RunningConsumer,
} from '../../../lib/events/index.js';
import { newId } from '../../../lib/ids.js';
import { eventually } from '../../../lib/testing/eventually.js';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { UserRegisteredEvent } from '../../../lib/events/catalog.js';
import { eventLogInbox } from '../src/consumers/event-log-inbox.js';
import { userEntities } from '../src/entities/index.js';
import { userMigrations } from '../src/migrations/index.js';
import { createProfileFromRegistration } from '../src/domain/profiles.js';
import { UserProfile } from '../src/entities/user-profile.js';
import { EventLog } from '../src/entities/event-log.js';

describe('user service: profiles from auth.user.registered', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let transport: InProcessTransport;
  let consumer: RunningConsumer;

  before(async () => {
    db = await openScratchDatabase('user_consumer', { entities: userEntities, migrations: userMigrations });
    transport = new InProcessTransport();
    consumer = await startConsumer({
      orm: db.orm,
      transport,
      consumer: 'user-from-auth',
      source: 'auth',
      inbox: eventLogInbox,
      handlers: [on(UserRegisteredEvent, createProfileFromRegistration)],
    });
    transport.open();
  });
  after(async () => {
    await consumer?.stop();
    await transport?.close();
    await db?.drop();
  });

  function registration(userId: string, email: string): { id: string; bytes: Uint8Array } {
    const id = newId();
    const payload = UserRegistered.encode({
      userId,
      email,
      firstName: 'Grace',
      lastName: 'Hopper',
      registeredAt: new Date(),
    }).finish();
    const bytes = encodeEnvelope({
      id,
      type: UserRegisteredEvent.typeName,
      subject: UserRegisteredEvent.subject,
      occurredAt: new Date(),
      source: 'auth',
      correlationId: id,
      payload: Buffer.from(payload),
    });
    return { id, bytes };
  }

  it('creates one profile and one event log row when the same event is delivered twice', async () => {
    const userId = newId();
    const event = registration(userId, 'grace@example.com');
    await transport.publish(UserRegisteredEvent.subject, event.bytes, event.id);
    await transport.publish(UserRegisteredEvent.subject, event.bytes, event.id);

    const em = db.orm.em.fork();
    const profiles = await eventually(async () => {
      const found = await em.fork().find(UserProfile, { userId });
      return found.length > 0 ? found : undefined;
    });
    expect(profiles).to.have.length(1);
    expect(profiles[0]).to.include({ email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper' });
    expect(await em.fork().count(EventLog, { eventId: event.id })).to.equal(1);
    const outbox = await em
      .fork()
      .execute<{ envelope: Uint8Array }[]>(
        "SELECT envelope FROM infra.outbox WHERE subject = 'user.profile.created'",
      );
    const announced = outbox
      .map((row) => UserProfileCreated.decode(decodeEnvelope(row.envelope).payload))
      .filter((created) => created.userId === userId);
    expect(announced).to.deep.equal([{ userId, email: 'grace@example.com' }]);
  });

  it('creates one profile when two different events announce the same registration', async () => {
    const userId = newId();
    const first = registration(userId, 'ada@example.com');
    const second = registration(userId, 'ada@example.com');
    await transport.publish(UserRegisteredEvent.subject, first.bytes, first.id);
    await transport.publish(UserRegisteredEvent.subject, second.bytes, second.id);
    expect(await db.orm.em.fork().count(UserProfile, { userId })).to.equal(1);
    expect(await db.orm.em.fork().count(EventLog, { eventId: { $in: [first.id, second.id] } })).to.equal(2);
  });
});
