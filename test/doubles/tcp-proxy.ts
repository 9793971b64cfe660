import { createServer, connect, type Socket } from 'node:net';

export interface TcpProxy {
  /** The target URL with host and port replaced by the proxy's. */
  readonly url: string;
  /**
   * The next client message containing `marker` (or any of several: SQL text travels as is in the protocol) is not
   * forwarded: the connection is cut both ways instead, as when a server crashes mid-query. With `down`, new
   * connections are refused afterwards until `up()`, as while the crashed server is restarting.
   */
  killOn(marker: string | readonly string[], options?: { down?: boolean }): Promise<void>;
  /** Accepts connections again. */
  up(): void;
  /** How many connections clients have opened through the proxy so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * `refuseCopy`: a simple-protocol Query whose text starts with COPY is answered by the proxy itself with the
 * ErrorResponse a pooler that cannot carry COPY sends (SQLSTATE 0A000) and ReadyForQuery in a failed transaction
 * ('E'), and never reaches the server. (Each query arrives in one write from `pg`: one 'data' event here.)
 */
function isCopyQuery(data: Buffer): boolean {
  return data.length > 9 && data[0] === 0x51 && /^\s*COPY\b/i.test(data.subarray(5, 64).toString('utf8'));
}

const copyRefusal = (() => {
  const fields = Buffer.from('SERROR\0VERROR\0C0A000\0MCOPY is not supported by this connection pooler\0\0', 'utf8');
  const error = Buffer.alloc(5);
  error.write('E');
  error.writeInt32BE(4 + fields.length, 1);
  const ready = Buffer.from([0x5a, 0, 0, 0, 5, 0x45]);
  return Buffer.concat([error, fields, ready]);
})();

/**
 * A TCP proxy in front of a Postgres server (the pglite-socket double or a real DATABASE_URL server) that can
 * cut connections mid-query: the failure a server crash, OOM kill or failover looks like to the client.
 */
/**
 * What a row write of the pgvector store sends: INSERT (pglite-socket, `writeMethod: insert`, the merge out of the
 * staging table) or the binary COPY (a real server's default). A crash test cuts on either.
 */
export const rowWriteMarkers = (table = 'ragbench_'): readonly string[] => [`INSERT INTO ${table}`, `COPY ${table}`];

export async function startTcpProxy(targetUrl: string, options: { refuseCopy?: boolean } = {}): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  let pending: { markers: Buffer[]; down: boolean; resolve: () => void } | undefined;
  let down = false;
  let connections = 0;
  const server = createServer((client) => {
    if (down) return void client.destroy();
    connections++;
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (data) => {
      if (options.refuseCopy && isCopyQuery(data)) return void client.write(copyRefusal);
      if (pending && pending.markers.some((marker) => data.includes(marker))) {
        const hit = pending;
        pending = undefined;
        if (hit.down) down = true;
        cut();
        hit.resolve();
        return;
      }
      upstream.write(data);
    });
    upstream.on('data', (data) => client.write(data));
    client.on('close', () => (upstream.destroy(), sockets.delete(client)));
    upstream.on('close', () => (client.destroy(), sockets.delete(upstream)));
    client.on('error', cut);
    upstream.on('error', cut);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.href,
    killOn(marker, options = {}) {
      const markers = (typeof marker === 'string' ? [marker] : marker).map((m) => Buffer.from(m));
      return new Promise((resolve) => (pending = { markers, down: options.down ?? false, resolve }));
    },
    up() {
      down = false;
    },
    get connections() {
      return connections;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
