import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { chromiumMissingReason, chromiumRequired, findChromium } from '../helpers/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunReport } from '../../src/pipeline/run/report.js';
import type { QueryRecord } from '../../src/report/run/html-model.js';
import { formatEstimate } from '../../src/report/run/format.js';
import type { RunSummary } from '../../src/report/run/summary.js';
import { lacks, repoRoot } from '../helpers/datasets.js';
import { cliPath, runCli } from './cli.js';

/**
 * Issue 13's acceptance test in a real browser (headless Debian Chromium driven by playwright-core): report.html of
 * a real run of evals/chunking-spans.yaml shows summary.json's numbers and a query's labelled span highlighted
 * inside the retrieved chunk; `ragbench view` over two runs compares them with the gate verdict; a path-traversal
 * request gets 404. Screenshots go to test-artifacts/browser/ (git-ignored) for a human to look at.
 */
const chromiumPath = findChromium();
const shots = join(repoRoot, 'test-artifacts', 'browser');

// Without Chromium: skipped, the reason and the enabling command said once by the global setup (pull-datasets.ts).
// Its runs read Cranfield (evals/chunking-spans.yaml, test/fixtures/gate).
describe.skipIf((!chromiumPath && !chromiumRequired) || lacks('cranfield'))('HTML reports and ragbench view in Chromium', () => {
  let browser: Browser;
  let spansDir: string;
  let viewWork: string;

  beforeAll(async () => {
    if (!chromiumPath) throw new Error(`RAGBENCH_REQUIRE_CHROMIUM=1 but ${chromiumMissingReason}`);
    await mkdir(shots, { recursive: true });
    const work = await mkdtemp(join(tmpdir(), 'rb-html-'));
    spansDir = join(work, 'runs', 'spans');
    viewWork = await mkdtemp(join(tmpdir(), 'rb-view-'));
    const runs = await Promise.all([
      runCli(['run', 'evals/chunking-spans.yaml', '--work-dir', work, '--out', spansDir]),
      (async () => {
        const base = await runCli(['run', 'test/fixtures/gate/baseline.yaml', '--work-dir', viewWork, '--out', join(viewWork, 'runs', 'a-baseline')]);
        const worse = await runCli(['run', 'test/fixtures/gate/candidate-worse.yaml', '--work-dir', viewWork, '--out', join(viewWork, 'runs', 'b-worse')]);
        return base.code !== 0 ? base : worse;
      })(),
    ]);
    for (const run of runs) if (run.code !== 0) throw new Error(`ragbench run failed: ${run.stderr}`);
    expect(runs[0]!.stdout).toContain(`report: ${join(spansDir, 'report.html')}`);
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('report.html of chunking-spans: arms table equals summary.json, a query shows its labelled span highlighted', async () => {
    const summary = JSON.parse(await readFile(join(spansDir, 'summary.json'), 'utf8')) as RunSummary;
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('request', (req) => {
      if (!req.url().startsWith('file:')) errors.push(`network request ${req.url()}`);
    });
    await page.goto(pathToFileURL(join(spansDir, 'report.html')).href);
    await page.screenshot({ path: join(shots, 'run-report-1280.png') });

    let cells = 0;
    for (const arm of summary.arms) {
      for (const [group, estimates] of [['metrics', arm.metrics], ['spans', arm.spans ?? {}]] as const) {
        for (const [metric, estimate] of Object.entries(estimates)) {
          const cell = page.locator(`td[data-arm="${arm.arm}"][data-group="${group}"][data-metric="${metric}"]`);
          const expected = formatEstimate(estimate as never);
          expect(await cell.locator('.m').textContent()).toBe(expected.slice(0, expected.indexOf(' [')));
          expect(await cell.locator('.ci').textContent()).toBe(expected.slice(expected.indexOf('[')));
          cells++;
        }
      }
    }
    expect(cells).toBe(summary.arms.length * (summary.metrics.length + summary.spanMetrics!.length));
    // The curves are rebuilt from the stored ranks of relevant documents: at k = 5 and 10 they equal the run's own means.
    const model = await readRunReport(spansDir);
    summary.arms.forEach((arm, i) => {
      expect(model.curves!.recall[i]!.values[4]).toBeCloseTo(arm.metrics['recall@5']!.mean, 12);
      expect(model.curves!.ndcg[i]!.values[9]).toBeCloseTo(arm.metrics['ndcg@10']!.mean, 12);
    });
    // The best recall@5 is marked in its column, and only arms holding that mean are.
    const bestRecall = Math.max(...summary.arms.map((a) => a.metrics['recall@5']!.mean));
    const marked = await page.locator('td.best[data-metric="recall@5"]').count();
    expect(marked).toBe(summary.arms.filter((a) => a.metrics['recall@5']!.mean === bestRecall).length);

    // A query the first arm answered at rank 1 with a chunk holding its labelled span, opened from the keyboard.
    const queries = (await readFile(join(spansDir, 'queries.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as QueryRecord);
    const results = (await readFile(join(spansDir, 'results.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { arm: string; queryId: string; metrics: Record<string, number>; spans: Record<string, number> });
    const hit = results.find((r) => r.arm === summary.arms[0]!.arm && r.metrics['mrr@10'] === 1 && r.spans['span-recall@5'] === 1)!;
    const query = queries.find((q) => q.id === hit.queryId)!;
    const span = query.spans![0]!;
    const documents = (await readFile(join(spansDir, 'documents.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { id: string; text: string });
    const spanText = documents.find((d) => d.id === span.docId)!.text.slice(span.start, span.end);

    await page.locator('#dd-search').fill(query.id);
    const link = page.locator('#dd-list a', { hasText: new RegExp(`^${query.id}$`) });
    await link.focus();
    await page.keyboard.press('Enter');
    const detail = page.locator('#dd-detail');
    await expect.poll(() => detail.isVisible()).toBe(true);
    expect(await detail.locator('h2').textContent()).toBe(`Query ${query.id}`);
    const firstArm = detail.locator('details.arm').first();
    const firstChunk = firstArm.locator('ol.chunks > li').first();
    expect(await firstChunk.locator('.rel').textContent()).toContain('relevant');
    const marks = await firstChunk.locator('mark').allTextContents();
    expect(marks.length).toBeGreaterThan(0);
    for (const mark of marks) expect(spanText).toContain(mark);
    expect(await firstChunk.locator('mark').first().isVisible()).toBe(true);
    await firstChunk.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'run-query-1280.png') });

    // Filters: "arms disagree" on recall@5 keeps only queries whose arms differ; phone width still reads.
    await page.locator('#dd-search').fill('');
    await page.locator('#dd-filter').selectOption('disagree');
    const count = (await page.locator('#dd-count').textContent())!;
    const shown = Number(count.split(' ')[0]);
    const perQuery = new Map<string, number[]>();
    for (const r of results) perQuery.set(r.queryId, [...(perQuery.get(r.queryId) ?? []), r.metrics['recall@5']!]);
    expect(shown).toBe([...perQuery.values()].filter((v) => Math.max(...v) !== Math.min(...v)).length);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(pathToFileURL(join(spansDir, 'report.html')).href);
    const overflow = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
    expect(overflow).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(shots, 'run-report-390.png') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('ragbench view: lists both runs, compares the two picked with the gate verdict, 404s path traversal', async () => {
    const child = spawn(process.execPath, [cliPath, '--work-dir', viewWork, 'view', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await serverUrl(child);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(url);
      expect(await page.locator('table.runs tbody tr').count()).toBe(2);
      await page.screenshot({ path: join(shots, 'view-index.png') });
      await page.locator('#baseline').selectOption('a-baseline');
      await page.locator('#candidate').selectOption('b-worse');
      await page.getByRole('button', { name: 'Compare' }).click();
      await page.waitForURL(/\/compare\?/);
      expect(await page.locator('#gate-verdict').textContent()).toBe('gate failed');
      const ndcg = page.locator('tr[data-metric="ndcg@10"]');
      expect(await ndcg.locator('.v-fail').textContent()).toMatch(/^fail: dropped by/);
      await page.screenshot({ path: join(shots, 'view-compare.png') });
      // The drill-down over both runs finds queries that lost relevant documents against the baseline run's arm.
      await page.locator('#dd-filter').selectOption('lost');
      expect(Number((await page.locator('#dd-count').textContent())!.split(' ')[0])).toBeGreaterThan(50);
      await page.locator('#dd-list a').first().click();
      await expect.poll(() => page.locator('#dd-detail details.arm').count()).toBe(2);
      await page.screenshot({ path: join(shots, 'view-compare-query.png') });
      // A run opens from the list.
      await page.goto(url);
      await page.getByRole('link', { name: 'a-baseline' }).click();
      expect(await page.locator('h1').textContent()).toBe('gate-baseline');
      await page.close();

      for (const path of ['/runs/../../../../etc/passwd', '/runs/..%2f..%2f..%2fetc%2fpasswd/', '/runs/a-baseline/../../../etc/passwd', '/runs/a-baseline/manifest.json', '/compare?baseline=..&candidate=b-worse', '/%2e%2e/%2e%2e/etc/passwd']) {
        expect({ path, status: await rawGet(url, path) }).toEqual({ path, status: 404 });
      }
      expect(await rawGet(url, '/', { host: 'evil.example:80' })).toBe(403);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('close', resolve)));
    expect(code).toBe(0);
  });
});

function serverUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (data: Buffer) => {
      out += data.toString();
      const match = /http:\/\/\S+\//.exec(out);
      if (match) resolve(match[0]);
    });
    child.on('close', (code) => reject(new Error(`ragbench view exited with ${code}: ${out}`)));
  });
}

/** A GET with the path sent byte for byte (fetch and browsers would normalise `..` away before sending). */
function rawGet(base: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET', headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
