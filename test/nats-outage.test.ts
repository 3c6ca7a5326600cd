import { expect } from 'chai';
import { TcpProxy } from '../lib/testing/tcp-proxy.js';
import { clientsFor, eventually } from './support/clients.js';
import { startTestMesh, type TestMesh } from './support/mesh.js';

/**
 * NATS goes away while customers register: the registrations commit (their events wait in the
 * auth outbox), and once NATS is back the relay publishes them and the user service creates the
 * profiles. NATS is reached through a TCP proxy we can cut, so the real server keeps running.
 */
describe('registrations while NATS is unreachable (needs NATS)', function () {
  this.timeout(120_000);
  let proxy: TcpProxy;
  let mesh: TestMesh;
  let api: ReturnType<typeof clientsFor>;
  let savedNatsUrl: string | undefined;

  before(async () => {
    const nats = new URL(process.env.NATS_URL!);
    proxy = await TcpProxy.start({ host: nats.hostname, port: Number(nats.port || 4222) });
    savedNatsUrl = process.env.NATS_URL;
    process.env.NATS_URL = proxy.url('nats');
    mesh = await startTestMesh(['auth', 'user']);
    api = clientsFor((name) => mesh.address(name));
  });
  after(async () => {
    process.env.NATS_URL = savedNatsUrl;
    for (const client of Object.values(api ?? {})) client.close();
    await mesh?.stop();
    await proxy?.close();
  });

  it('commits the registrations and delivers their events once NATS returns', async () => {
    await proxy.cut();
    const password = 'correct-horse-42';
    const registered = [];
    for (let i = 0; i < 3; i++) {
      const email = `outage-${i}-${Date.now().toString(36)}@example.com`;
      const { userId } = await api.auth.register({ email, password, firstName: 'Nats', lastName: 'Down' });
      registered.push({ email, userId, token: (await api.auth.login({ email, password })).accessToken });
    }
    // While NATS is away no profile can appear.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const user of registered) {
      const missing = await api.user
        .getMyProfile({}, { token: user.token })
        .catch((error: { code: number }) => error.code);
      expect(missing).to.equal(5); // NOT_FOUND
    }

    await proxy.restore();
    for (const user of registered) {
      const profile = await eventually(
        async () => (await api.user.getMyProfile({}, { token: user.token })).profile,
        {
          timeoutMs: 60_000,
          what: `profile of ${user.email}`,
        },
      );
      expect(profile.userId).to.equal(user.userId);
    }
  });
});
