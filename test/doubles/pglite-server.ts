import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { startTcpProxy } from './tcp-proxy.js';

export interface PgliteServer {
  /** A `pg` connection URL; PGlite accepts any password, so none is given. */
  readonly url: string;
  readonly db: PGlite;
  close(): Promise<void>;
}

/**
 * A wire-level Postgres double: in-memory PGlite with pgvector behind pglite-socket on 127.0.0.1 and a free
 * port, so the server-mode code path (pg Pool, binary parameters, transactions) runs without a real server.
 * pglite-socket cannot follow COPY FROM STDIN: it loses the protocol state and leaves its single session inside
 * the COPY's open transaction, so every later query hangs. The URL therefore goes through a proxy that refuses
 * COPY as a pooler does (SQLSTATE 0A000), and the store's fallback to INSERT is what runs here.
 */
export async function startPgliteServer(options: { maxConnections?: number } = {}): Promise<PgliteServer> {
  const db = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    // pglite-socket accepts one connection by default; a pg Pool opens several.
    maxConnections: options.maxConnections ?? 8,
  });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  const port = server.getServerConn().split(':').at(-1);
  const proxy = await startTcpProxy(`postgres://postgres@127.0.0.1:${port}/postgres`, { refuseCopy: true });
  return {
    url: proxy.url,
    db,
    async close() {
      await proxy.close();
      await server.stop();
      await db.close();
    },
  };
}
