import { describe, expect, it } from 'vitest';
import { renderDecisionHtml } from '../../../../src/report/decision/html.js';
import { renderDecisionMarkdown } from '../../../../src/report/decision/markdown.js';
import { ciBarChart, escapeXml } from '../../../../src/report/svg-charts.js';
import { hostileReport } from './fixture.js';


describe('decision.html', () => {
  const html = renderDecisionHtml(hostileReport());

  it('escapes every text from the data: documents and answers may hold HTML', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; | pipes');
    // The payload survives only as text: every "onerror" sits inside the escaped tag.
    expect(html.match(/onerror/g)!.length).toBe(html.match(/&lt;img src=x onerror=alert\(1\)&gt;/g)!.length);
  });

  it('is self-contained: no URL, no external stylesheet, script, font or image', () => {
    const clean = renderDecisionHtml(hostileReport('plain text'));
    expect(clean).not.toMatch(/https?:\/\//);
    expect(clean).not.toMatch(/<link|<script|<iframe|@import|url\(|\ssrc=|\shref=/i);
    expect(clean.startsWith('<!doctype html>')).toBe(true);
  });

  it('puts the recommendation first and draws the score, recall and cost charts inline', () => {
    expect(html.indexOf('Recommendation')).toBeLessThan(html.indexOf('How each setup scores'));
    expect(html).toContain('RAG as configured');
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).toContain('recall@k, k = 1..10');
    expect(html).toContain('Small sample.');
    expect(html).toContain('USD unknown (no price)');
    expect(html).toMatch(/0\.800 \[0\.780, 0\.820\] \(null 0\/200 0%\)/);
    expect(html).toContain("n/a (null 200/200 100% UNRELIABLE)");
  });

  it('escapes chart labels too', () => {
    const svg = ciBarChart({ title: 'a<b', bars: [{ label: '"><script>', mean: 0.5, lower: 0.4, upper: 0.6 }] });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&quot;&gt;&lt;script&gt;');
    expect(escapeXml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});

describe('decision.md', () => {
  it('leads with the recommendation and keeps table rows intact when data holds pipes and HTML', () => {
    const md = renderDecisionMarkdown(hostileReport());
    expect(md.split('\n')[2]).toMatch(/^\*\*Recommendation: RAG as configured\.\*\*/);
    expect(md).not.toContain('<script');
    const failingRow = md.split('\n').find((line) => line.startsWith('| Is '))!;
    expect(failingRow.split(/(?<!\\)\|/)).toHaveLength(6);
  });
});
