import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionReport } from '../../src/report/decision/summary.js';
import { startOpenAiServer, type ChatRequest, type OpenAiServer } from '../doubles/openai-server.js';
import { datasetPath, lacks, repoRoot } from '../helpers/datasets.js';
import { runCli, type CliResult } from './cli.js';
import { chromiumMissingReason, chromiumRequired, findChromium } from '../helpers/chromium.js';

const verdicts = ['prompt-only', 'rag', 'improve-retrieval', 'fine-tune-or-stronger-model', 'inconclusive'];
const ref = (folder: string, name: string) => join(repoRoot, folder, `${name}.yaml`);

/** evals/rag-vs-closed-book.yaml with absolute references (it lives in a temp folder) and fewer questions, for speed. */
async function writeEval(dir: string, lines: readonly string[]): Promise<string> {
  const file = join(dir, 'decide.yaml');
  await writeFile(file, [`corpus: ${ref('corpora', 'pubmedqa-pqal')}`, `chunkers: [${ref('chunkers', 'recursive-800')}]`, ...lines, ''].join('\n'));
  return file;
}

async function readReport(dir: string): Promise<DecisionReport> {
  return JSON.parse(await readFile(join(dir, 'decision.json'), 'utf8')) as DecisionReport;
}

describe.skipIf(lacks('pubmedqa-pqal'))('ragbench decide on PubMedQA, offline (extractive answerer)', () => {
  let dir: string;
  let result: CliResult;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rb-decide-'));
    const file = await writeEval(dir, [
      'name: rag-vs-closed-book-60',
      `retrievers: [${ref('retrievers', 'bm25')}, ${ref('retrievers', 'local')}]`,
      'metrics: [recall@5, mrr@10]',
      'queryLimit: 60',
      'answers:',
      '  answerer: { kind: extractive, maxSentences: 2 }',
      '  metrics: [decision-accuracy, token-f1, faithfulness-lexical, context-recall]',
      'decide: { primaryMetric: decision-accuracy }',
    ]);
    result = await runCli(['decide', file, '--work-dir', join(dir, 'work'), '--out', join(dir, 'run')]);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('exits 0, prints the recommendation and writes decision.md, decision.html and decision.json into the run folder', async () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^recommendation: /m);
    for (const file of ['decision.md', 'decision.html', 'decision.json', 'manifest.json', 'results.jsonl', 'summary.json']) {
      expect(existsSync(join(dir, 'run', file)), file).toBe(true);
    }
    const report = await readReport(join(dir, 'run'));
    expect(verdicts).toContain(report.recommendation.verdict);
    expect(report.recommendation.evidence.length).toBeGreaterThan(0);
    expect(report.arms.map((a) => a.name)).toEqual(['closed-book', 'retrieved: recursive-800 × bm25', 'retrieved: recursive-800 × local', 'gold']);
    expect(report.skipped[0]!.reason).toMatch(/more than the 128,000-token context window/);
    expect(report.comparisons).toHaveLength(5);
    for (const arm of report.arms.filter((a) => a.kind === 'retrieved')) expect(arm.recallCurve).toHaveLength(10);
    // The extractive answerer says "maybe" with no context: closed-book is the share of "maybe" questions.
    expect(report.arms[0]!.metrics['decision-accuracy']!.mean).toBeLessThan(0.3);
    expect(await readFile(join(dir, 'run', 'decision.md'), 'utf8')).toMatch(/^\*\*Recommendation: /m);
    console.info(`decide offline (60): ${report.recommendation.verdict}; ${report.arms.map((a) => `${a.name} ${a.metrics['decision-accuracy']!.mean?.toFixed(3)}`).join(', ')}`);
  });

  const chromium = findChromium();
  // Without Chromium: skipped, the reason and the enabling command said once by the global setup (pull-datasets.ts).
  it.skipIf(!chromium && !chromiumRequired)('renders decision.html in headless Chromium to a non-blank screenshot', async () => {
    if (!chromium) throw new Error(`RAGBENCH_REQUIRE_CHROMIUM=1 but ${chromiumMissingReason}`);
    const png = join(dir, 'decision.png');
    await screenshot(chromium, join(dir, 'run', 'decision.html'), png);
    expect((await stat(png)).size).toBeGreaterThan(20_000);
    const image = decodePng(await readFile(png));
    expect([image.width, image.height]).toEqual([1280, 2000]);
    // Not blank: many distinct colours, no colour covering nearly everything, dark text, and the bars of the score
    // chart (the retrieved arms' blue, #4c78a8) drawn by the inline SVG.
    const counts = new Map<string, number>();
    let dark = 0;
    let bars = 0;
    let samples = 0;
    for (let y = 0; y < image.height; y += 5) {
      for (let x = 0; x < image.width; x += 5) {
        const [r, g, b] = image.pixel(x, y);
        const key = `${r},${g},${b}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        samples++;
        if (r + g + b < 200) dark++;
        if (Math.abs(r - 0x4c) + Math.abs(g - 0x78) + Math.abs(b - 0xa8) < 24) bars++;
      }
    }
    expect(counts.size).toBeGreaterThan(50);
    expect(Math.max(...counts.values()) / samples).toBeLessThan(0.9);
    expect(dark / samples).toBeGreaterThan(0.005);
    expect(bars).toBeGreaterThan(100);
  });
});

describe.skipIf(lacks('pubmedqa-pqal'))('ragbench decide through the OpenAI test server (llm answerer)', () => {
  let server: OpenAiServer;
  let dir: string;
  const gold = new Map<string, string>();
  beforeAll(async () => {
    server = await startOpenAiServer();
    dir = await mkdtemp(join(tmpdir(), 'rb-decide-llm-'));
    for (const line of (await readFile(datasetPath('pubmedqa-pqal', 'qa.jsonl'), 'utf8')).split('\n')) {
      if (line.trim() === '') continue;
      const item = JSON.parse(line) as { question: string; answers: string[] };
      gold.set(item.question.trim(), item.answers[0]!);
    }
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Decide answers as the scripted model gives them: `right(withContext)` says whether to give the gold label. */
  async function decide(name: string, right: (withContext: boolean) => boolean): Promise<{ result: CliResult; report: DecisionReport }> {
    server.onChat((request: ChatRequest) => {
      const user = request.messages.at(-1)!.content;
      const question = /Question: (.*)/.exec(user)![1]!.trim();
      const label = gold.get(question)!;
      const withContext = user.includes('Context:');
      const passage = /\[1\] ([^.]*\.)/.exec(user)?.[1] ?? 'I do not know.';
      const wrong = label === 'yes' ? 'no' : 'yes';
      return JSON.stringify({ answer: withContext ? passage : 'I believe so.', decision: right(withContext) ? label : wrong });
    });
    const file = await writeEval(join(dir), [
      `name: ${name}`,
      `retrievers: [${ref('retrievers', 'bm25')}]`,
      'metrics: [recall@5]',
      'queryLimit: 30',
      'answers:',
      `  answerer: { kind: llm, model: { kind: openai, model: ragbench-double-chat, baseURL: "${server.url}" }, prompt: qa-v1 }`,
      '  metrics: [decision-accuracy, faithfulness-lexical, context-recall]',
      'prices: { ragbench-double-chat: { input: 0.15, output: 0.6 } }',
    ]);
    const out = join(dir, `run-${name}`);
    const result = await runCli(['decide', file, '--work-dir', join(dir, `work-${name}`), '--out', out], { env: { OPENAI_API_KEY: server.apiKey } });
    return { result, report: result.code === 0 ? await readReport(out) : (undefined as never) };
  }

  it('recommends RAG when the model is right with passages and wrong without', async () => {
    const { result, report } = await decide('double-rag', (withContext) => withContext);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(report.recommendation.verdict).toBe('rag');
    const byName = new Map(report.arms.map((a) => [a.name, a]));
    expect(byName.get('closed-book')!.metrics['decision-accuracy']!.mean).toBe(0);
    expect(byName.get('gold')!.metrics['decision-accuracy']!.mean).toBe(1);
    expect(byName.get('retrieved: recursive-800 × bm25')!.metrics['decision-accuracy']!.mean).toBe(1);
    // The closed-book arm used the prompt's closed-book variant; every arm is costed at the configured price.
    expect(server.requestsTo('/v1/chat/completions').some((r) => r.chat!.messages[0]!.content.includes('from your own knowledge'))).toBe(true);
    for (const arm of report.arms) expect(arm.cost.usd).toBeGreaterThan(0);
    expect(byName.get('closed-book')!.topFailures[0]!.categories).toContain('wrong-decision');
    console.info(`decide via double: ${report.recommendation.verdict}; ${report.recommendation.evidence.join(' | ')}`);
  });

  it('recommends fine-tuning or a stronger model when the model is wrong even with the gold passages', async () => {
    const { result, report } = await decide('double-behaviour', () => false);
    expect(result.code).toBe(0);
    expect(report.recommendation.verdict).toBe('fine-tune-or-stronger-model');
    const goldArm = report.arms.find((a) => a.kind === 'gold')!;
    expect(goldArm.failureCounts['wrong-decision']).toBe(30);
    expect(report.recommendation.evidence.join('\n')).toMatch(/30 questions fail even with the gold passages: wrong-decision 30/);
  });
});

/** Debian chromium, headless, offline-minded flags, a fresh profile; resolves when the PNG is written. */
async function screenshot(chromium: string, html: string, png: string): Promise<void> {
  const profile = await mkdtemp(join(tmpdir(), 'rb-chromium-'));
  const args = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, `--screenshot=${png}`, '--window-size=1280,2000', `file://${html}`,
  ];
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(chromium, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0 && existsSync(png)) resolve();
        else reject(new Error(`chromium exited with ${code}: ${stderr.slice(-2000)}`));
      });
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** A minimal PNG reader: 8-bit RGB/RGBA, non-interlaced (what Chromium writes); IDAT inflated and unfiltered. */
function decodePng(buffer: Buffer): { width: number; height: number; pixel(x: number, y: number): [number, number, number] } {
  expect(buffer.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  const width = buffer.readUInt32BE(16);
  const height = buffer.readUInt32BE(20);
  const [depth, colourType, , , interlace] = buffer.subarray(24, 29);
  expect(depth).toBe(8);
  expect(interlace).toBe(0);
  const channels = colourType === 6 ? 4 : colourType === 2 ? 3 : 0;
  expect(channels).toBeGreaterThan(0);
  const idat: Buffer[] = [];
  for (let offset = 8; offset < buffer.length; ) {
    const length = buffer.readUInt32BE(offset);
    if (buffer.toString('ascii', offset + 4, offset + 8) === 'IDAT') idat.push(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const value = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= channels ? pixels[y * stride + i - channels]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + i]! : 0;
      const c = i >= channels && y > 0 ? pixels[(y - 1) * stride + i - channels]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter]!;
      pixels[y * stride + i] = (value + predictor) & 0xff;
    }
  }
  return { width, height, pixel: (x, y) => [pixels[y * stride + x * channels]!, pixels[y * stride + x * channels + 1]!, pixels[y * stride + x * channels + 2]!] };
}
