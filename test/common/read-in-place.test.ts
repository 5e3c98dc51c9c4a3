import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { READ_BUFFER_BYTES, readInPlace } from '../../src/common/read-in-place.js';

interface Accepted {
  socket: Socket;
  /** Copies of every chunk, and whether any chunk came in a buffer other than the first. */
  received: Buffer[];
  buffers: Set<ArrayBufferLike>;
}

describe('readInPlace', () => {
  let server: Server;
  let port: number;
  const accepted: Accepted[] = [];

  before(async () => {
    server = createServer({ pauseOnConnect: true }, (socket) => {
      const state: Accepted = { socket, received: [], buffers: new Set() };
      state.socket = readInPlace(socket, (chunk) => {
        state.buffers.add(chunk.buffer);
        state.received.push(Buffer.from(chunk));
      });
      accepted.push(state);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  });

  after(() => server.close());

  async function connect(): Promise<{ client: Socket; peer: Accepted }> {
    const client = createConnection({ host: '127.0.0.1', port });
    await once(client, 'connect');
    while (accepted.length === 0) await new Promise((resolve) => setImmediate(resolve));
    return { client, peer: accepted.shift()! };
  }

  async function until(condition: () => boolean): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!condition()) {
      assert.ok(Date.now() < deadline, 'timed out');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it('delivers every byte in order, all reads in one reused buffer', async () => {
    const { client, peer } = await connect();
    const data = Buffer.alloc(8 * READ_BUFFER_BYTES + 123);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    client.write(data);
    await until(() => peer.received.reduce((n, c) => n + c.length, 0) >= data.length);
    assert.ok(Buffer.concat(peer.received).equals(data));
    assert.ok(peer.received.length > 1, 'several reads');
    assert.equal(peer.buffers.size, 1, 'every chunk is a view of the same buffer');
    client.destroy();
  });

  it('keeps the replacement socket writable, pausable and off the server count', async () => {
    const { client, peer } = await connect();
    assert.equal(peer.socket.remotePort, client.localPort);
    const connections = await new Promise<number>((resolve, reject) =>
      server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
    );
    assert.equal(connections, 0, 'the accepted socket was taken off the count');

    peer.socket.write('pong');
    const [reply] = (await once(client, 'data')) as [Buffer];
    assert.equal(reply.toString(), 'pong');

    peer.socket.pause();
    client.write('held back');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(peer.received.length, 0, 'nothing is read while paused');
    peer.socket.resume();
    await until(() => peer.received.length > 0);
    assert.equal(Buffer.concat(peer.received).toString(), 'held back');

    const closed = once(peer.socket, 'close');
    client.destroy();
    await closed;
  });
});
