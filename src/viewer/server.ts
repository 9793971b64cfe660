import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compareRuns } from '../pipeline/compare/compare.js';
import { buildComparisonReportModel, listRuns, readRunReport, type RunListing } from '../pipeline/run/report.js';
import { renderComparisonHtml } from '../report/comparison/html.js';
import { htmlPage } from '../report/html-page.js';
import { renderRunHtml } from '../report/run/html.js';
import { escapeXml as h } from '../report/svg-charts.js';
import { RagbenchError } from '../shared/errors.js';

interface ViewServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * `ragbench view`: a read-only web server over `<workDir>/runs` on node:http (three routes need no framework).
 * Safe by construction rather than by sanitising paths: a URL never becomes a file path; it may only name a run
 * by an exact folder name from the current listing of `<workDir>/runs`, anything else is 404. Only GET/HEAD; the
 * Host header must be the bound address (no DNS rebinding from a web page); pages carry a CSP that allows no
 * network access. Manifests hold environment variable names only, and the pages show no environment at all.
 * A comparison is the one expensive page: it runs only for a request from the viewer's own pages or typed into the
 * address bar (Sec-Fetch-Site / Origin), never for another site's link or <img>, and one at a time.
 */
export async function startViewServer(options: { readonly workDir: string; readonly port: number; readonly host?: string }): Promise<ViewServer> {
  const host = options.host ?? '127.0.0.1';
  let allowedHosts = new Set<string>();
  const comparing = { busy: false };
  const server = createServer((req, res) => {
    handle(req, res, options.workDir, allowedHosts, comparing).catch((error: unknown) => send(res, 500, errorPage('Internal error', (error as Error).message)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  allowedHosts = new Set([`${shown}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]);
  return {
    url: `http://${shown}:${port}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  workDir: string,
  allowedHosts: ReadonlySet<string>,
  comparing: { busy: boolean },
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, errorPage('Method not allowed', 'The viewer is read-only.'), { Allow: 'GET, HEAD' });
  if (!allowedHosts.has(req.headers.host ?? '')) return send(res, 403, errorPage('Forbidden', 'Unexpected Host header.'));
  const origin = req.headers.origin;
  if (origin !== undefined && !(URL.canParse(origin) && allowedHosts.has(new URL(origin).host))) {
    return send(res, 403, errorPage('Forbidden', 'Requests from other sites are refused.'));
  }
  const url = new URL(req.url ?? '/', 'http://viewer.invalid');
  const runs = await listRuns(workDir);
  const byId = new Map(runs.map((run) => [run.id, run]));
  if (url.pathname === '/') return send(res, 200, indexPage(runs, workDir));
  const runMatch = /^\/runs\/([^/]+)\/?$/.exec(url.pathname);
  if (runMatch) {
    const run = byId.get(safeDecode(runMatch[1]!));
    if (!run) return notFound(res);
    return sendPage(res, async () => renderRunHtml(await readRunReport(run.dir), { nav }));
  }
  if (url.pathname === '/compare') {
    // Browsers say where a request comes from; only the viewer's own form or a typed URL may start a comparison.
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return send(res, 403, errorPage('Forbidden', 'A comparison starts only from the viewer itself, not from another site.'));
    }
    const baseline = byId.get(url.searchParams.get('baseline') ?? '');
    const candidate = byId.get(url.searchParams.get('candidate') ?? '');
    if (!baseline || !candidate) return notFound(res);
    if (comparing.busy) return send(res, 503, errorPage('Busy', 'Another comparison is running; try again in a moment.'), { 'Retry-After': '2' });
    comparing.busy = true;
    try {
      // The same comparison as `ragbench compare <baseline> <candidate>` with its defaults: the candidate eval's gate.
      return await sendPage(res, async () => renderComparisonHtml(await buildComparisonReportModel(await compareRuns(baseline.dir, candidate.dir)), { nav }));
    } finally {
      comparing.busy = false;
    }
  }
  return notFound(res);
}

const nav = `<a href="/">All runs</a>`;

/**
 * A run folder ragbench cannot read (damaged, incompatible) or two runs it cannot compare (no shared arm) get the
 * one-line error as a 422 page, as the CLI would print it, not a crash.
 */
async function sendPage(res: ServerResponse, render: () => Promise<string>): Promise<void> {
  let html: string;
  try {
    html = await render();
  } catch (error) {
    if (!(error instanceof RagbenchError)) throw error;
    return send(res, 422, errorPage('Cannot show this', `${error.message}${error.fix ? ` (fix: ${error.fix})` : ''}`));
  }
  send(res, 200, html);
}

function indexPage(runs: readonly RunListing[], workDir: string): string {
  if (runs.length === 0) {
    return htmlPage({ title: 'ragbench runs', body: `<h1>ragbench runs</h1><section><p>No finished runs under ${h(workDir)}/runs yet: run <code>ragbench run evals/quickstart.yaml</code>.</p></section>` });
  }
  const rows = runs.map((run) => {
    const s = run.summary;
    // Headline: the best mean of each of the eval's metrics, with the arm that has it.
    const headline = s.metrics.flatMap((metric) => {
      const means = s.arms.flatMap((a) => (Number.isFinite(a.metrics[metric]?.mean) ? [a.metrics[metric]!.mean] : []));
      if (means.length === 0) return [];
      const best = Math.max(...means);
      const arm = s.arms.find((a) => a.metrics[metric]?.mean === best)!;
      return [`${h(metric)} <span class="num">${best.toFixed(3)}</span> <span class="note">${h(arm.arm)}</span>`];
    });
    return (
      `<tr><td><a href="/runs/${encodeURIComponent(run.id)}/">${h(run.id)}</a></td><td>${h(s.createdAt.replace('T', ' ').slice(0, 19))}</td><td>${h(s.evalName)}</td>` +
      `<td>${h(s.corpus.name)}</td><td class="num">${s.arms.length}</td><td class="num">${s.arms[0]?.queries ?? 0}</td>` +
      `<td>${headline.join('<br>') || '—'}</td></tr>`
    );
  });
  const options = (selected: number) => runs.map((run, i) => `<option value="${h(run.id)}"${i === selected ? ' selected' : ''}>${h(run.id)}</option>`).join('');
  const body =
    `<h1>ragbench runs</h1><p class="sub">${runs.length} finished runs in ${h(workDir)}/runs · read-only</p>` +
    `<section aria-labelledby="cmp-h"><h2 id="cmp-h">Compare two runs</h2><p class="note">The same comparison as <code>ragbench compare</code>: ` +
    `paired tests per arm and metric, the candidate eval's gate, the queries that changed most.</p>` +
    `<form class="controls" method="get" action="/compare"><label for="baseline">Baseline<select id="baseline" name="baseline">${options(Math.min(1, runs.length - 1))}</select></label>` +
    `<label for="candidate">Candidate<select id="candidate" name="candidate">${options(0)}</select></label><button type="submit">Compare</button></form></section>` +
    `<section aria-labelledby="runs-h"><h2 id="runs-h">Runs</h2><div class="scroll"><table class="runs"><thead><tr><th scope="col">run</th><th scope="col">date (UTC)</th>` +
    `<th scope="col">eval</th><th scope="col">corpus</th><th scope="col" class="num">arms</th><th scope="col" class="num">queries</th>` +
    `<th scope="col">best per headline metric</th></tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
  return htmlPage({ title: 'ragbench runs', body });
}

function errorPage(title: string, message: string): string {
  return htmlPage({ title, nav, body: `<h1>${h(title)}</h1><section><p>${h(message)}</p></section>` });
}

function notFound(res: ServerResponse): void {
  send(res, 404, errorPage('Not found', 'No such page or run. Runs are named by their folder under the work dir’s runs/.'));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return '';
  }
}

function send(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : html);
}
