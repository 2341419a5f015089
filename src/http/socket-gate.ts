import type { Server, Socket } from 'node:net';
import { clientNetwork } from './client-address.js';
import { errorBody } from './errors.js';

/**
 * Every connection the server accepts passes this gate before the HTTP (or TLS) server sees it,
 * and goes on only while there is room:
 *
 * - in all, fewer than `total` open (each costs a file descriptor, and a process that runs out of
 *   them resets every new connection: door scans and `/healthz` included);
 * - from one client network (client-address.ts), fewer than `perClient`; not counted behind a
 *   trusted proxy, whose own address is every client's here (the proxy limits per client; the
 *   live streams' own per-client cap still counts the address it names).
 *
 * A connection beyond that is refused at once with a plain `503 too_many_connections` (on HTTPS,
 * where nothing can be said before the handshake, it is closed), and no byte of it is parsed.
 *
 * How: the server's own `'connection'` listeners (Node's HTTP or TLS connection handling) are
 * taken off and called by the gate for the connections it admits. The server still listens
 * itself, so Node's connection tracking, header and request timeouts, and Fastify's close work
 * as before. If a Node upgrade ever leaves the server without such a listener, this throws at
 * start rather than admit everything silently.
 */
export interface SocketLimits {
  total: number;
  perClient: number | null;
}

export class SocketGate {
  private open = 0;
  private readonly byClient = new Map<string, number>();
  /** Connections refused since the start (metrics). */
  refused = 0;

  constructor(
    server: Server,
    private readonly limits: SocketLimits,
    private readonly opts: { plainHttp: boolean },
  ) {
    const handlers = server.listeners('connection') as Array<(socket: Socket) => void>;
    if (!handlers.length) throw new Error('the server has no connection handler to put behind the gate');
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => {
      if (this.admit(socket)) for (const handle of handlers) handle.call(server, socket);
    });
  }

  get connections(): number {
    return this.open;
  }

  private admit(socket: Socket): boolean {
    const client = this.limits.perClient === null ? null : clientNetwork(socket.remoteAddress ?? '');
    const mine = client === null ? 0 : (this.byClient.get(client) ?? 0);
    if (this.open >= this.limits.total)
      return this.refuse(socket, 'The server has as many connections open as it takes; try again in a few seconds');
    if (client !== null && mine >= this.limits.perClient!)
      return this.refuse(socket, 'Too many connections from your address; close some and try again');
    this.open++;
    if (client !== null) this.byClient.set(client, mine + 1);
    socket.once('close', () => {
      this.open--;
      if (client === null) return;
      const left = this.byClient.get(client)! - 1;
      if (left) this.byClient.set(client, left);
      else this.byClient.delete(client);
    });
    return true;
  }

  private refuse(socket: Socket, message: string): false {
    this.refused++;
    socket.on('error', () => {});
    if (!this.opts.plainHttp) {
      socket.destroy();
      return false;
    }
    const body = JSON.stringify(errorBody('too_many_connections', message));
    socket.end(
      `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nRetry-After: 5\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    // Read and drop what the client sent: closing with unread data would reset the connection
    // before the client reads the answer.
    socket.on('data', () => {});
    socket.setTimeout(2_000, () => socket.destroy());
    return false;
  }
}
