import { expect } from 'chai';
import { createServer, connect, type Server } from 'node:net';
import { once } from 'node:events';
import { TcpProxy } from './tcp-proxy.js';

async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.pipe(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

async function roundTrip(port: number, text: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(text);
  const [data] = (await once(socket, 'data')) as [Buffer];
  socket.destroy();
  return data.toString();
}

describe('lib/testing: TCP proxy', () => {
  it('forwards, cuts open connections and refuses new ones, then forwards again on the same port', async () => {
    const { server, port } = await echoServer();
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port });
    try {
      expect(await roundTrip(proxy.port, 'ping')).to.equal('ping');

      const open = connect(proxy.port, '127.0.0.1');
      await once(open, 'connect');
      const closed = once(open, 'close');
      await proxy.cut();
      await closed;
      const refused = await roundTrip(proxy.port, 'x').catch((error: NodeJS.ErrnoException) => error.code);
      expect(refused).to.equal('ECONNREFUSED');

      const samePort = proxy.port;
      await proxy.restore();
      expect(proxy.port).to.equal(samePort);
      expect(await roundTrip(proxy.port, 'pong')).to.equal('pong');
    } finally {
      await proxy.close();
      server.close();
    }
  });
});
