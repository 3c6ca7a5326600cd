import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { expect } from 'chai';
import { createRequire } from 'node:module';
import { AuthServiceService } from '../../gen/ecommerce/auth/v1/auth.js';
import { allow } from '../auth/access-rule.js';
import { testKey, type TestKey } from '../auth/test/keys.js';
import { JwksTokenVerifier } from '../auth/token-verifier.js';
import { EncodedResponse, encodeResponse } from './encoded-response.js';
import { implementService, type ServiceHandlers } from './implement-service.js';
import { startGrpcServer, type RunningGrpcServer } from './server.js';
import { checkHealth } from '../runtime/health-probe.js';
import { EchoServiceService } from './test/echo-service.js';
import { quiet, rawCall, startEchoServer, type EchoServer } from './test/harness.js';

type ReflectionClientClass = new (
  address: string,
  credentials: grpc.ChannelCredentials,
) => grpc.Client & { ServerReflectionInfo(): grpc.ClientDuplexStream<object, Record<string, unknown>> };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('startGrpcServer', () => {
  let key: TestKey;
  let running: EchoServer | undefined;

  before(async () => {
    key = await testKey('k');
  });

  afterEach(async () => {
    await running?.server.shutdown(100);
    running = undefined;
  });

  function slowHandlers(delayMs: number) {
    const pass = { access: allow.public(), handle: async (r: { text: string }) => r };
    return {
      echo: {
        access: allow.public(),
        handle: async (request: { text: string }) => {
          await sleep(delayMs);
          return { text: `done ${request.text}` };
        },
      },
      lookup: pass,
      write: pass,
    };
  }

  it('binds port 0 to a real port and reports SERVING overall and per service', async () => {
    running = await startEchoServer(slowHandlers(0), key);
    expect(running.server.port).to.be.greaterThan(0);
    expect(await checkHealth(running.address)).to.equal('SERVING');
    expect(await checkHealth(running.address, 'test.v1.EchoService')).to.equal('SERVING');
    expect(await checkHealth(running.address, 'no.such.Service')).to.equal('error NOT_FOUND');
  });

  it('setServing(false) reports NOT_SERVING', async () => {
    running = await startEchoServer(slowHandlers(0), key);
    running.server.setServing(false);
    expect(await checkHealth(running.address)).to.equal('NOT_SERVING');
    expect(await checkHealth(running.address, 'test.v1.EchoService')).to.equal('NOT_SERVING');
  });

  it('reports NOT_SERVING once shutdown begins and lets the call in flight finish', async () => {
    running = await startEchoServer(slowHandlers(400), key, { drainDelayMs: 200 });
    const inFlight = rawCall(running.address, 'echo', { text: 'order' });
    await sleep(50);
    const stopped = running.server.shutdown(3000);
    expect(await checkHealth(running.address)).to.equal('NOT_SERVING');
    const result = await inFlight;
    expect('response' in result && result.response.text).to.equal('done order');
    await stopped;
    expect(await checkHealth(running.address)).to.match(/^error /);
    running = undefined;
  });

  it('sends an EncodedResponse as it is, and serializes plain answers as before', async () => {
    const bytes = Buffer.from(JSON.stringify({ text: 'encoded once' }));
    const echo = { access: allow.public(), handle: async (r: { text: string }) => r };
    running = await startEchoServer(
      {
        echo,
        lookup: { access: allow.public(), handle: async () => new EncodedResponse(bytes) },
        write: echo,
      },
      key,
    );
    const encoded = await rawCall(running.address, 'lookup', { text: 'ignored' });
    expect('response' in encoded && encoded.response).to.deep.equal({ text: 'encoded once' });
    const plain = await rawCall(running.address, 'echo', { text: 'plain' });
    expect('response' in plain && plain.response).to.deep.equal({ text: 'plain' });
  });

  it('encodeResponse holds the bytes the method itself would send', () => {
    const message = { text: 'same bytes' };
    expect(encodeResponse(EchoServiceService.echo, message).bytes).to.deep.equal(
      EchoServiceService.echo.responseSerialize(message),
    );
  });

  it('cuts calls off after the grace period', async () => {
    running = await startEchoServer(slowHandlers(10_000), key);
    const inFlight = rawCall(running.address, 'echo', { text: 'slow' });
    await sleep(50);
    const started = Date.now();
    await running.server.shutdown(200);
    expect(Date.now() - started).to.be.lessThan(1500);
    const result = await inFlight;
    expect('error' in result).to.equal(true);
    running = undefined;
  });

  describe('reflection', () => {
    let server: RunningGrpcServer | undefined;

    afterEach(async () => {
      await server?.shutdown(100);
      server = undefined;
    });

    it('serves the descriptor set from gen/ so grpcurl can list and describe services', async () => {
      const verifier = new JwksTokenVerifier(async () => [key.publicJwk], { logger: quiet });
      const notUsed = async () => {
        throw new Error('not used');
      };
      const implementation = implementService(
        AuthServiceService,
        {
          ...(Object.fromEntries(
            Object.keys(AuthServiceService).map((name) => [
              name,
              { access: allow.public(), handle: notUsed },
            ]),
          ) as unknown as ServiceHandlers<typeof AuthServiceService>),
          getJwks: { access: allow.public(), handle: async () => ({ keys: [] }) },
        },
        { verifier, logger: quiet },
      );
      server = await startGrpcServer({
        host: '127.0.0.1',
        port: 0,
        services: [{ name: 'ecommerce.auth.v1.AuthService', definition: AuthServiceService, implementation }],
        logger: quiet,
      });
      const require = createRequire(import.meta.url);
      const protoPath = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
      const loaded = grpc.loadPackageDefinition(loadSync(protoPath, { keepCase: true })) as unknown as {
        grpc: { reflection: { v1: { ServerReflection: ReflectionClientClass } } };
      };
      const client = new loaded.grpc.reflection.v1.ServerReflection(
        `127.0.0.1:${server.port}`,
        grpc.credentials.createInsecure(),
      );
      const ask = (request: object) =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          const stream = client.ServerReflectionInfo();
          stream.on('data', (response) => {
            resolve(response);
            stream.end();
          });
          stream.on('error', reject);
          stream.write(request);
        });
      const listed = (await ask({ list_services: '*' })) as {
        list_services_response: { service: { name: string }[] };
      };
      expect(listed.list_services_response.service.map((s) => s.name)).to.include(
        'ecommerce.auth.v1.AuthService',
      );
      const described = (await ask({ file_containing_symbol: 'ecommerce.auth.v1.AuthService' })) as {
        file_descriptor_response?: { file_descriptor_proto: Buffer[] };
      };
      expect(described.file_descriptor_response?.file_descriptor_proto.length).to.be.greaterThan(0);
      client.close();
    });
  });
});
