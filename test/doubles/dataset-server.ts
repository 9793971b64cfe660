import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';

/**
 * A dataset mirror over HTTP (node:http on 127.0.0.1, a free port) serving a folder laid out as
 * `<root>/<dataset>/raw/<file>`, with faults a test can inject per request path: a body cut off after half its
 * announced Content-Length, a server error, or altered bytes. Records every requested path.
 */
export type Fault = 'truncate' | 'server-error' | 'corrupt';

export interface DatasetServer {
  readonly url: string;
  readonly requests: string[];
  /** Injects a fault for every request whose path ends with `suffix`. */
  fail(suffix: string, fault: Fault): void;
  /** Serves `suffix` normally again. */
  heal(suffix: string): void;
  close(): Promise<void>;
}

export async function startDatasetServer(root: string): Promise<DatasetServer> {
  const faults = new Map<string, Fault>();
  const requests: string[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
      requests.push(path);
      const fault = [...faults].find(([suffix]) => path.endsWith(suffix))?.[1];
      if (fault === 'server-error') {
        response.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
        return;
      }
      const file = normalize(join(root, path));
      const body = file.startsWith(normalize(root) + sep) ? await readFile(file).catch(() => undefined) : undefined;
      if (!body) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      if (fault === 'corrupt') body[0] = body[0]! ^ 0xff;
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
      if (fault === 'truncate') {
        // Announce the full length, send half, then drop the connection: what a broken download looks like.
        response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.destroy());
        return;
      }
      response.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fail: (suffix, fault) => faults.set(suffix, fault),
    heal: (suffix) => faults.delete(suffix),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
