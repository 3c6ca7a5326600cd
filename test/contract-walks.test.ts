import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { AuthServiceClient } from '../gen/ecommerce/auth/v1/auth.js';
import { UserServiceClient } from '../gen/ecommerce/user/v1/user.js';
import {
  ADMIN_ROLE,
  ALL_PERMISSIONS,
  DEV_KEY_FILE,
  parseKeyRing,
  SERVICE_ROLE,
  TokenSigner,
  type Principal,
} from '../lib/auth/index.js';
import { SERVICE_NAMES, type ServiceName } from '../lib/config/index.js';
import { CORRELATION_ID_HEADER } from '../lib/grpc/call-context.js';
import { declaredAccessOf } from '../lib/grpc/declared-access.js';
import { decodeEnvelope } from '../lib/events/index.js';
import { newId } from '../lib/ids.js';
import {
  BATCH,
  callerWith,
  codeOfEmptyCall,
  contractMethods,
  NEVER,
  REFUSALS,
  ruleRefusalOf,
  type Caller,
} from './support/access-calls.js';
import { eventually, plainClient } from './support/clients.js';
import {
  casesOfService,
  CONCURRENCY,
  DEADLINE_MS,
  faultOf,
  inBatches,
  rawCall,
  registry,
} from './support/hostile-cases.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from './support/mesh.js';
import { internalToken } from './support/tokens.js';
import { uniqueEmail } from './support/unique.js';

/**
 * The contracts, walked: every RPC of every service, read from the descriptors, so a new RPC or a
 * new service joins both walks without anyone writing a case for it. One platform runs in this
 * process for both (the access rules the handlers declare are read from it):
 * - the access walk calls every RPC as every kind of caller (none, a customer, another customer, an
 *   admin, a platform service): the RPC's declared rule decides the refusal, and nothing is ever
 *   INTERNAL or UNKNOWN;
 * - the hostile walk sends, at every field of every request, the hostile values of its type: the
 *   edge refuses what breaks a contract rule with INVALID_ARGUMENT naming the field, before any
 *   work; what only the domain can judge gets a precise answer; never a hang or a dead connection.
 */
describe('the contracts, walked: every RPC of every service', function () {
  this.timeout(300_000);
  let mesh: TestMesh;

  before(async () => {
    mesh = await startTestMesh(SERVICE_NAMES, { inProcess: true });
  });
  after(async () => {
    await mesh?.stop();
  });

  describe('access walk: every RPC of every service, every kind of caller', function () {
    const channels = new Map<ServiceName, grpc.Client>();
    const callers: Caller[] = [{ kind: 'no caller' }];

    before(async () => {
      const auth = plainClient(AuthServiceClient, mesh.address('auth'));
      const user = plainClient(UserServiceClient, mesh.address('user'));
      try {
        const customer = async (tag: string): Promise<string> => {
          const email = uniqueEmail(tag);
          await auth.register({ email, password: 'walk-the-rules-42', firstName: 'Ada', lastName: 'Lee' });
          const { accessToken } = await auth.login({ email, password: 'walk-the-rules-42' });
          // The profile is made from the registration event: a "My" RPC before it would only say "retry".
          await eventually(() => user.getMyProfile({}, { token: accessToken }), { timeoutMs: 15_000 });
          return accessToken;
        };
        callers.push(callerWith('customer', await customer('walker')));
        callers.push(callerWith('another customer', await customer('other-walker')));
        const admin = await auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
        callers.push(callerWith('admin', admin.accessToken));
        callers.push(callerWith('platform service', await internalToken(mesh, 'order')));
      } finally {
        auth.close();
        user.close();
      }
      for (const name of SERVICE_NAMES)
        channels.set(name, new grpc.Client(mesh.address(name), grpc.credentials.createInsecure()));
    });
    after(async () => {
      for (const channel of channels.values()) channel.close();
    });

    it('answers each caller what the RPC’s access rule says, and never INTERNAL or UNKNOWN', async () => {
      const methods = contractMethods();
      expect(methods.length).to.be.greaterThan(60);
      const calls = methods.flatMap((method) => callers.map((caller) => ({ ...method, caller })));
      const wrong: string[] = [];
      for (let start = 0; start < calls.length; start += BATCH) {
        await Promise.all(
          calls.slice(start, start + BATCH).map(async ({ service, path, caller }) => {
            const expected = ruleRefusalOf(path, caller);
            const code = await codeOfEmptyCall(channels.get(service)!, path, caller.token);
            const answered = grpc.status[code];
            if (NEVER.has(code)) wrong.push(`${path} (${caller.kind}): ${answered}`);
            else if (expected !== undefined && code !== expected)
              wrong.push(
                `${path} (${caller.kind}): ${answered}, the rule refuses with ${grpc.status[expected]}`,
              );
            else if (expected === undefined && REFUSALS.has(code))
              wrong.push(`${path} (${caller.kind}): ${answered}, though the rule lets this caller through`);
          }),
        );
      }
      expect(wrong, wrong.join('\n')).to.deep.equal([]);
    });
  });

  describe('hostile input at every field of every RPC (walked from the contracts)', function () {
    /** Per kind of caller, the metadata carrying its token: an admin account, a platform service. */
    const callers: { principal: Principal; metadata: grpc.Metadata }[] = [];
    /** Every event published during the walk, with the correlation id of the call that caused it. */
    const published: { subject: string; correlationId: string }[] = [];
    const stops: (() => Promise<void>)[] = [];

    /** A caller the RPC's declared access rule lets through, so the request itself is what is judged. */
    const metadataFor = (method: string): grpc.Metadata => {
      const rule = declaredAccessOf(method);
      if (!rule) throw new Error(`${method} is served without a declared access rule`);
      const admitted = callers.find(({ principal }) => {
        try {
          rule.check(principal);
          return true;
        } catch {
          return false;
        }
      });
      if (!admitted) throw new Error(`${method}: neither an admin nor a platform service may call it`);
      return admitted.metadata;
    };

    before(async () => {
      const auth = plainClient(AuthServiceClient, mesh.address('auth'));
      const session = await auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
      auth.close();
      const ring = await parseKeyRing(readFileSync(join(mesh.dataDir, DEV_KEY_FILE), 'utf8'));
      const signer = await TokenSigner.create(ring);
      const principals: Principal[] = [
        { userId: session.userId, email: ADMIN_EMAIL, roles: [ADMIN_ROLE], permissions: [ALL_PERMISSIONS] },
        { userId: 'order', email: '', roles: [SERVICE_ROLE], permissions: [] },
      ];
      for (const principal of principals) {
        const metadata = new grpc.Metadata();
        metadata.set('authorization', `Bearer ${await signer.sign(principal, 600)}`);
        callers.push({ principal, metadata });
      }
      // Every event any service publishes from now on (in-process meshes: the transport is shared).
      for (const name of SERVICE_NAMES) {
        const subscription = await mesh.events?.subscribe(
          {
            stream: name,
            durable: `hostile-input-${name}-${process.pid}`,
            subjects: [`${name}.>`],
            maxDeliver: 1,
            backoffMs: [0],
            ephemeral: true,
          },
          async (delivery) =>
            void published.push({
              subject: delivery.subject,
              correlationId: decodeEnvelope(delivery.envelope).correlationId,
            }),
        );
        if (subscription) stops.push(() => subscription.stop());
      }
    });

    after(async () => {
      for (const stop of stops) await stop();
    });

    const services = [...registry.files]
      .flatMap((file) => file.services)
      .filter((service) => service.typeName.startsWith('ecommerce.') && service.methods.length > 0);

    it('covers every service with RPCs (a new one joins the walk by itself)', () => {
      const names = services.map((service) => service.typeName.split('.')[1] as ServiceName);
      expect(names).to.include.members(['auth', 'user', 'product', 'cart']);
      expect(names.every((name) => SERVICE_NAMES.includes(name))).to.equal(true);
    });

    for (const service of services) {
      const name = service.typeName.split('.')[1] as ServiceName;
      const cases = casesOfService(service);
      const refused = cases.filter((c) => c.refusedField !== undefined);
      const judged = cases.filter((c) => c.refusedField === undefined);

      it(`${service.typeName}: ${refused.length} edge refusals naming the field and nothing written, ${judged.length} precise domain answers, the connection alive`, async () => {
        const client = new grpc.Client(mesh.address(name), grpc.credentials.createInsecure());
        try {
          // The refused calls carry a correlation id of their own, which any event they caused
          // would carry too (other work of the platform, a mail being sent, carries another).
          const refusalsId = `hostile-${name}-${newId()}`;
          const refusals = await inBatches(refused, CONCURRENCY, (c) => {
            const metadata = metadataFor(c.method).clone();
            metadata.set(CORRELATION_ID_HEADER, refusalsId);
            return rawCall(client, c.method, c.bytes, metadata);
          });
          // An event of a refused request would be published right after its commit: give it a moment.
          await new Promise((resolve) => setTimeout(resolve, 200));
          const writes = published
            .filter((event) => event.correlationId === refusalsId)
            .map((event) => event.subject);
          const answers = await inBatches(judged, CONCURRENCY, (c) =>
            rawCall(client, c.method, c.bytes, metadataFor(c.method)),
          );

          const faults = [
            ...refused.map((c, i) => [c, refusals[i]!] as const),
            ...judged.map((c, i) => [c, answers[i]!] as const),
          ]
            .map(([c, outcome]) => {
              const fault = faultOf(c, outcome);
              return fault && `${c.method.split('/')[2]} ${c.label}: ${fault}`;
            })
            .filter((fault): fault is string => fault !== undefined);
          expect(faults).to.deep.equal([]);
          expect(writes, 'events published while refusing').to.deep.equal([]);
          const slowest = Math.max(...refusals.map((o) => o.ms), ...answers.map((o) => o.ms));
          expect(slowest).to.be.below(DEADLINE_MS);
          // The same connection still serves: a health check on it answers.
          const health = await rawCall(
            client,
            '/grpc.health.v1.Health/Check',
            new Uint8Array(),
            new grpc.Metadata(),
          );
          expect(health.code).to.equal(grpc.status.OK);
        } finally {
          client.close();
        }
      });
    }
  });
});
