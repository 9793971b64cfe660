// Benchmark: what a hostile retrieval service costs the user of `ragbench run` with a `kind: http` retriever.
//  1. redirect: the service answers 307 to another origin (another port of 127.0.0.1); counts the requests that
//     reached the other origin carrying a secret header (Authorization or X-Api-Key).
//  2. huge body: the service streams an endless JSON body; prints the CLI's exit code, first error line, peak RSS
//     (GNU time's %M) and how many bytes the service managed to send.
// Both run the built CLI (`--cli`, default dist/cli/main.js) on corpora/sample, so the same command measures any build.
// Run after `npm run build`:  node bench/hostile-service.mjs [--bytes 1073741824] [--cli path/to/main.js] [--smoke]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
};
const smoke = process.argv.includes('--smoke');
const bodyBytes = Number(arg('bytes') ?? (smoke ? 64 * 1024 * 1024 : 1024 ** 3));
const cli = resolve(arg('cli') ?? join(root, 'dist/cli/main.js'));
const token = 'bench-secret-token';

function listen(handler) {
  const server = createServer(handler);
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

async function runCli(serviceUrl) {
  const dir = await mkdtemp(join(tmpdir(), 'rb-hostile-'));
  const evalFile = join(dir, 'eval.yaml');
  await writeFile(
    evalFile,
    [
      'name: hostile',
      `corpus: ${JSON.stringify(join(root, 'corpora/sample.yaml'))}`,
      'chunkers: [{ kind: fixed, sizeChars: 512 }]',
      `retrievers: [{ name: service, kind: http, url: ${JSON.stringify(serviceUrl)}, secretHeaders: { Authorization: { env: BENCH_TOKEN, prefix: "Bearer " }, X-Api-Key: BENCH_TOKEN }, fields: { docId: doc_id }, retries: 0, timeoutMs: 600000 }]`,
      'metrics: [recall@10]',
      '',
    ].join('\n'),
  );
  const time = existsSync('/usr/bin/time') ? ['/usr/bin/time', ['-f', 'peak-rss-kb %M', process.execPath, cli]] : [process.execPath, [cli]];
  // Asynchronous: the hostile services live in this process and must keep answering while the CLI runs.
  const child = spawn(time[0], [...time[1], '--work-dir', join(dir, '.ragbench'), 'run', evalFile], {
    env: { ...process.env, BENCH_TOKEN: token },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (data) => (stderr = (stderr + data).slice(-65536)));
  const status = await new Promise((done) => child.on('close', done));
  const result = { status, stderr };
  const rss = /peak-rss-kb (\d+)/.exec(result.stderr)?.[1];
  const firstError = result.stderr.split('\n').find((line) => line.startsWith('ragbench:')) ?? '(none)';
  return { status: result.status, rssMb: rss ? Number(rss) / 1024 : undefined, firstError: firstError.slice(0, 200) };
}

// 1. redirect to another origin
const other = await listen((req, res) => {
  other.requests.push([req.headers.authorization, req.headers['x-api-key']]);
  req.resume();
  res.end('{"results":[]}');
});
other.requests = [];
const redirecting = await listen((req, res) => {
  redirecting.requests = (redirecting.requests ?? 0) + 1;
  req.resume();
  res.writeHead(307, { location: `${other.url}/collect` });
  res.end();
});
const redirect = await runCli(`${redirecting.url}/search`);
const leaked = other.requests.filter((values) => values.some((value) => value?.includes(token))).length;
console.log(`redirect to another origin: ${redirecting.requests ?? 0} requests to the service, ${leaked} reached the other origin with the secret (exit ${redirect.status})`);
console.log(`  ${redirect.firstError}`);
redirecting.server.close();
other.server.close();

// 2. an endless (bodyBytes) response body
let sent = 0;
const huge = await listen((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"results":[');
  const chunk = Buffer.from('{"doc_id":"x"},'.repeat(4096));
  const pump = () => {
    while (!res.destroyed && sent < bodyBytes) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end('{"doc_id":"x"}]}');
  };
  pump();
});
const big = await runCli(huge.url);
huge.server.closeAllConnections();
huge.server.close();
console.log(
  `huge body (${(bodyBytes / 1024 ** 2).toFixed(0)} MiB offered): exit ${big.status}, peak RSS ${big.rssMb?.toFixed(0) ?? '?'} MB, service sent ${(sent / 1024 ** 2).toFixed(1)} MiB`,
);
console.log(`  ${big.firstError}`);
