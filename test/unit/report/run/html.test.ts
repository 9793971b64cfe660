import { describe, expect, it } from 'vitest';
import { drilldownData, drilldownRecords, parseChunkId } from '../../../../src/pipeline/run/drilldown.js';
import { buildRunReportModel } from '../../../../src/pipeline/run/report.js';
import type { QueryResult } from '../../../../src/pipeline/run/results.js';
import { scriptJson } from '../../../../src/report/html-page.js';
import { metricColumns, renderRunHtml } from '../../../../src/report/run/html.js';
import type { RunSummary } from '../../../../src/report/run/summary.js';
import { paretoFront } from '../../../../src/report/svg-charts.js';

const estimate = (mean: number) => ({ mean, lower: mean - 0.1, upper: mean + 0.1 });

function summaryOf(arms: RunSummary['arms']): RunSummary {
  return {
    runId: 'r1',
    evalName: 'e<script>',
    createdAt: '2026-01-01T00:00:00Z',
    corpus: { name: 'c', fingerprint: 'f'.repeat(64), documents: 2, queries: 1, judgedQueries: 1 },
    metrics: ['recall@2'],
    depth: 2,
    confidence: 0.95,
    arms,
    spanMetrics: ['span-recall@2', 'context-tokens@2'],
  };
}

const arm = (chunker: string, recall: number, tokens: number) => ({
  arm: `${chunker} × bm25`,
  chunker,
  retriever: 'bm25',
  queries: 1,
  chunks: 3,
  indexKey: 'k',
  ingest: { mode: 'built' as const, seconds: 0 },
  retrieveSeconds: 0,
  metrics: { 'recall@2': estimate(recall) },
  spans: { 'span-recall@2': { ...estimate(recall), scored: 1, nulls: 0 }, 'context-tokens@2': { ...estimate(tokens), scored: 1, nulls: 0 } },
});

describe('report.html building blocks', () => {
  it('parses chunk ids into document and offsets, also when the document id holds #', () => {
    expect(parseChunkId('doc#1#12-40')).toEqual(['doc#1', 12, 40]);
    expect(parseChunkId('plain-id')).toEqual(['plain-id', -1, -1]);
  });

  it('keeps only the documents a stored chunk or a label points into', async () => {
    const results: QueryResult[] = [{ arm: 'a', queryId: 'q1', metrics: {}, top: [{ docId: 'd1', score: 1 }], chunks: [{ id: 'd1#0-3', score: 1 }] }];
    const records = await drilldownRecords({
      queries: [{ id: 'q1', text: 'x' }, { id: 'q2', text: 'unscored' }],
      judgments: new Map([['q1', new Map([['d2', 2], ['d4', 0]])]]),
      spans: new Map([['q1', [{ docId: 'd2', start: 0, end: 2, grade: 1 }]]]),
      documents: ['d1', 'd2', 'd3', 'd4'].map((id) => ({ id, text: `text of ${id}` })),
      results,
    });
    expect(records.queries).toEqual([{ id: 'q1', text: 'x', judged: { d2: 2 }, spans: [{ docId: 'd2', start: 0, end: 2, grade: 1 }] }]);
    expect(records.documents.map((d) => d.id)).toEqual(['d1', 'd2']);
  });

  it('finds the Pareto front: cheaper-and-as-good points only', () => {
    const points = [
      { x: 500, y: 0.8 },
      { x: 600, y: 0.9 },
      { x: 700, y: 0.85 },
      { x: 500, y: 0.7 },
      { x: 900, y: 0.9 },
    ];
    expect(paretoFront(points)).toEqual([{ x: 500, y: 0.8 }, { x: 600, y: 0.9 }]);
  });

  it('turns any per-arm map of estimates into columns, so a newer summary field shows without code changes', () => {
    const withExtra = { ...arm('a', 0.5, 500), budget: { 'short-of-k': estimate(0.2) } };
    expect(metricColumns(summaryOf([withExtra])).map((c) => `${c.group}/${c.metric}`)).toEqual([
      'metrics/recall@2',
      'spans/span-recall@2',
      'spans/context-tokens@2',
      'budget/short-of-k',
    ]);
  });

  it('marks the best mean per column (lowest for context tokens) and escapes every text', () => {
    const summary = summaryOf([arm('fixed</td>', 0.5, 400), arm('big', 0.9, 900)]);
    const html = renderRunHtml(buildRunReportModel({ summary, manifest: {}, results: [] }));
    expect(html).not.toContain('fixed</td>');
    expect(html).not.toContain('e<script>');
    const best = [...html.matchAll(/<td class="num best" data-arm="([^"]+)" data-group="[^"]+" data-metric="([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(best.sort()).toEqual(['big × bm25 recall@2', 'big × bm25 span-recall@2', 'fixed&lt;/td&gt; × bm25 context-tokens@2']);
    expect(html).toContain('Pareto front');
  });

  it('embeds drill-down data so no document text can close the script element', () => {
    const data = drilldownData({
      queries: [{ id: 'q', text: '</script><script>alert(1)</script>', judged: {} }],
      documents: [{ id: 'd', text: '<!-- </SCRIPT> \u2028' }],
      arms: [],
      metrics: [],
      k: 10,
    });
    const json = scriptJson(data);
    expect(json).not.toMatch(/<\/script/i);
    expect(json).not.toContain('<!--');
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(data)));
  });
});
