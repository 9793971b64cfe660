import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP peer whose behaviour the test writes (redirect elsewhere, stream forever, drip, lie about its
 * length). It records every request's path and headers, and what it managed to send.
 */
export interface Peer {
  readonly url: string;
  readonly requests: { readonly method: string; readonly path: string; readonly headers: IncomingMessage['headers'] }[];
  /** Bytes an endless handler pushed into the socket (see `streamForever`). */
  bytesSent: number;
  close(): Promise<void>;
}

const open: Peer[] = [];

export async function startPeer(handler: (req: IncomingMessage, res: ServerResponse, self: Peer) => void): Promise<Peer> {
  let self!: Peer;
  const server: Server = createServer((req, res) => {
    self.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => handler(req, res, self));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    bytesSent: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  open.push(self);
  return self;
}

/** Closes every peer started since the last call (for afterEach). */
export async function closePeers(): Promise<void> {
  await Promise.all(open.splice(0).map((peer) => peer.close()));
}

/** Writes `chunk` as fast as the client reads until it hangs up (or 1 GiB went out), counting into `self.bytesSent`. */
export function streamForever(res: ServerResponse, self: Peer, chunk: Buffer): void {
  const pump = () => {
    while (!res.destroyed && self.bytesSent < 1 << 30) {
      self.bytesSent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
  };
  pump();
}

/** Answers every request with a redirect to `location`. */
export const redirectTo = (status: number, location: string) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { location });
  res.end();
};
