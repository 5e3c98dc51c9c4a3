/**
 * Server-side sockets that read into one reused buffer instead of a fresh one per read.
 *
 * Why: a `net.Server` socket gets every read in a newly allocated 64 KiB buffer. At
 * hundreds of MB/s that is thousands of buffers a second, and V8 counts each as new
 * external memory, which starts a full (mark-compact) garbage collection every few dozen
 * MB: 15-20% of the broker's event-loop time on a 1 MiB-batch produce load
 * (bench/RESULTS.md). Client sockets can avoid it with the `onread` option of
 * `net.connect`, which `net.createServer` does not offer; so the server is created with
 * `pauseOnConnect` (the accepted socket has read nothing yet) and its handle is moved to
 * a socket built with `onread`.
 *
 * Contract for `onChunk`: the chunk is a view of the reused buffer, valid only until the
 * callback returns; whoever needs its bytes later must copy them. It runs on the
 * event-loop thread. Flow control (`pause`/`resume`) works on the returned socket as on
 * any other.
 *
 * The move relies on `socket._handle`, which Node has not documented but has kept for
 * every release since 0.x; where it is missing (or the move throws), the accepted
 * socket is used as it is, with `data` events copied into the same callback contract.
 */
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';

/** Bytes read per system call at most; Node's own default read size. */
export const READ_BUFFER_BYTES = 64 * 1024;

interface SocketWithHandle {
  _handle: unknown;
}

/**
 * Takes over a socket accepted by a server created with `pauseOnConnect: true` and
 * returns the socket to use from now on, which calls `onChunk` for every read.
 */
export function readInPlace(accepted: Socket, onChunk: (chunk: Buffer) => void): Socket {
  const handle = (accepted as unknown as SocketWithHandle)._handle;
  if (handle !== null && typeof handle === 'object') {
    const buffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
    let socket: Socket;
    try {
      const onread: OnReadOpts = {
        buffer,
        callback: (bytes, read) => {
          onChunk((read as Buffer).subarray(0, bytes));
          return true; // keep reading; flow control uses pause()
        },
      };
      // `handle` is accepted by the constructor but missing from Node's types.
      const options = {
        handle,
        readable: true,
        writable: true,
        allowHalfOpen: accepted.allowHalfOpen,
        onread,
      };
      socket = new Socket(options as SocketConstructorOpts);
    } catch {
      return dataEvents(accepted, onChunk);
    }
    // The accepted socket no longer owns the handle: destroying it closes nothing and
    // takes it off the server's connection count (the new socket is never on it).
    (accepted as unknown as SocketWithHandle)._handle = null;
    accepted.destroy();
    return socket;
  }
  return dataEvents(accepted, onChunk);
}

/** The fallback: fresh chunks from `data` events (they outlive the callback, harmlessly). */
function dataEvents(socket: Socket, onChunk: (chunk: Buffer) => void): Socket {
  socket.on('data', onChunk);
  socket.resume();
  return socket;
}
