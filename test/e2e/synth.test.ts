import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBeirCorpus } from '../../src/corpus/beir.js';
import type { SynthReport } from '../../src/synth/write-test-set.js';
import { startOpenAiServer, type OpenAiServer } from '../doubles/openai-server.js';
import { runCli, type CliResult } from './cli.js';
import { lacks } from '../helpers/datasets.js';

const chunkers = ['fixed-512', 'tokens-256', 'recursive-800', 'sentences-5', 'semantic-90'];

/** `ragbench synth` on Cranfield, then `ragbench run` on what it wrote, as a user would chain them. */
describe.skipIf(lacks('cranfield'))('ragbench synth corpora/cranfield.yaml (offline known-item)', () => {
  let dir: string;
  let synth: CliResult;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rb-synth-'));
    synth = await runCli(['synth', 'corpora/cranfield.yaml', '--out', join(dir, 'set'), '--queries', '100', '--seed', '1']);
  });

  it('exits 0 and writes a BEIR folder with span labels that the corpus reader accepts', async () => {
    expect(synth.stderr).toBe('');
    expect(synth.code).toBe(0);
    expect(synth.stdout).toMatch(/synth cranfield: 100 of 100 queries \(100 known-item\)/);
    const corpus = await openBeirCorpus(join(dir, 'set'), { name: 'set' });
    const lengths = new Map<string, number>();
    for await (const doc of corpus.documents()) lengths.set(doc.id, doc.text.length);
    expect(lengths.size).toBe(1400);
    const spans = await corpus.spans!({ documentLengths: lengths }); // throws on a span past its document
    expect(spans!.size).toBe(100);
    const judgments = await corpus.judgments();
    for (const [queryId, list] of spans!) expect([...judgments.get(queryId)!.keys()]).toEqual([list[0]!.docId]);
    const report = JSON.parse(await readFile(join(dir, 'set', 'synth-report.json'), 'utf8')) as SynthReport;
    expect(report).toMatchObject({ method: 'known-item', requested: 100, generated: 100, options: { seed: 1, noise: 0.2 } });
    expect(await readFile(join(dir, 'set', 'README.md'), 'utf8')).toMatch(/seed 1[\s\S]*--seed 1/);
    // The bias of the method is said in synth's output, the report and the test set's README.
    expect(synth.stdout).toContain('caveat: test set: synthetic known-item, favours lexical retrievers');
    expect(report.caveat).toContain("sampled from the labelled passage with BM25's own tokenizer");
    expect(await readFile(join(dir, 'set', 'README.md'), 'utf8')).toContain('**Caveat: test set: synthetic known-item, favours lexical retrievers');
  });

  it('writes the same test set again for the same seed, and another for another seed', async () => {
    const again = await runCli(['synth', 'corpora/cranfield.yaml', '--out', join(dir, 'again'), '--queries', '100', '--seed', '1']);
    expect(again.code).toBe(0);
    for (const file of ['queries.jsonl', 'qrels/test.tsv', 'qrels/test.spans.jsonl', 'corpus.jsonl']) {
      expect(await readFile(join(dir, 'again', file), 'utf8')).toBe(await readFile(join(dir, 'set', file), 'utf8'));
    }
    const other = await runCli(['synth', 'corpora/cranfield.yaml', '--out', join(dir, 'other'), '--queries', '100', '--seed', '2']);
    expect(await readFile(join(dir, 'other', 'queries.jsonl'), 'utf8')).not.toBe(await readFile(join(dir, 'set', 'queries.jsonl'), 'utf8'));
  });

  it('is scored by ragbench run with five chunkers, semantic included, and bm25', async () => {
    const evalFile = join(dir, 'synth-shootout.yaml');
    await writeFile(
      evalFile,
      ['name: synth-shootout', 'corpus: ./set', `chunkers: [${chunkers.join(', ')}]`, 'retrievers: [bm25]', 'metrics: [recall@10, mrr@10]', ''].join('\n'),
    );
    const run = await runCli(['run', evalFile, '--work-dir', join(dir, 'work'), '--out', join(dir, 'run')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/100 queries scored/);
    // … and in every run on it: the table, the run report and the manifest.
    expect(run.stdout).toContain('caveat: test set: synthetic known-item, favours lexical retrievers');
    expect(await readFile(join(dir, 'run', 'report.md'), 'utf8')).toContain('test set: synthetic known-item, favours lexical retrievers');
    const manifest = JSON.parse(await readFile(join(dir, 'run', 'manifest.json'), 'utf8'));
    expect(manifest.corpus.testSet).toMatchObject({ method: 'known-item', caveat: expect.stringContaining('favours lexical retrievers') });
    for (const chunker of chunkers) expect(run.stdout).toMatch(new RegExp(`^${chunker}\\s+bm25\\s+\\d+\\s+(?:\\d+/100\\s+)?[01]\\.\\d{3}`, 'm'));
  });

  it.each([
    [['--method', 'magic'], /unknown --method magic/],
    [['--queries', '0'], /--queries must be an integer ≥ 1/],
    [['--noise', '2'], /--noise must be in \[0, 1\]/],
    [['--method', 'llm'], /--method llm needs --llm/],
  ])('rejects %j with exit code 2', async (flags, message) => {
    const result = await runCli(['synth', 'corpora/cranfield.yaml', '--out', join(dir, 'bad'), ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('refuses to write into a folder that is not a test set', async () => {
    const result = await runCli(['synth', 'corpora/sample.yaml', '--out', 'src', '--queries', '3']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is not empty and does not hold an earlier synthetic test set/);
  });
});

/** The LLM path through the CLI, against the OpenAI-compatible test server. */
describe('ragbench synth --method llm', () => {
  let server: OpenAiServer;
  let dir: string;

  beforeAll(async () => {
    server = await startOpenAiServer({ apiKey: 'synth-key' });
    dir = await mkdtemp(join(tmpdir(), 'rb-synth-llm-'));
  });
  afterAll(() => server.close());

  it('labels located quotes and drops and counts the unlocatable ones', async () => {
    let call = 0;
    server.onChat(({ messages }) => {
      const doc = /"""\n([\s\S]*?)\n"""/.exec(messages.at(-1)!.content)![1]!;
      const body = doc.includes('\n\n') ? doc.slice(doc.indexOf('\n\n') + 2) : doc; // after the title line
      call++;
      // Every third answer quotes text that is not in the document.
      const quote = call % 3 === 0 ? 'a sentence the model made up entirely, found nowhere' : body.slice(0, 60);
      return JSON.stringify({ question: `question number ${call} about ${body.slice(0, 30)}`, answer: 'x', evidenceQuote: quote });
    });
    const chatFile = join(dir, 'chat.yaml');
    await writeFile(chatFile, `kind: openai\nmodel: gpt-4o-mini\nbaseURL: ${server.url}\napiKeyEnv: SYNTH_TEST_KEY\n`);
    const out = join(dir, 'set');
    const args = ['synth', 'corpora/sample.yaml', '--out', out, '--method', 'llm', '--llm', chatFile, '--queries', '6', '--types', 'factoid=1'];
    const result = await runCli(args, { env: { SYNTH_TEST_KEY: 'synth-key' } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'synth-report.json'), 'utf8')) as SynthReport;
    expect(report.generated).toBe(6);
    expect(report.dropped['factoid: evidence quote not found in its document']).toBeGreaterThanOrEqual(2);
    expect(report.details).toMatchObject({ model: 'gpt-4o-mini', quotes: { exact: 6 } });
    const spans = (await readFile(join(out, 'qrels', 'test.spans.jsonl'), 'utf8')).trim().split('\n');
    expect(spans).toHaveLength(6);
    expect(server.requestsTo('/v1/chat/completions')[0]!.chat!.responseFormat?.type).toBe('json_schema');
  });
});
