import { scriptJson } from '../html-page.js';
import type { DrilldownData } from './html-model.js';

/**
 * The per-query drill-down of report.html and the comparison page: the data as an inline JSON block and a small
 * inline script that lists, filters and sorts the queries and draws one query on demand (`#query=<id>`), so a
 * 200-query × 12-arm run stays one file of about a megabyte instead of every chunk's text rendered per arm.
 * The script builds DOM nodes with textContent only: document and query text never become markup.
 */
export function drilldownSection(data: DrilldownData, intro: string): string {
  return (
    `<section id="queries" aria-labelledby="queries-h"><h2 id="queries-h">Queries</h2><p class="note">${intro}</p>` +
    `<div class="controls">` +
    `<label>Metric<select id="dd-metric"></select></label>` +
    `<label>Show<select id="dd-filter"><option value="all">all queries</option><option value="disagree">arms disagree</option>` +
    `<option value="lost">lost relevant documents vs baseline</option></select></label>` +
    `<label>Sort<select id="dd-sort"><option value="order">query order</option><option value="spread">spread across arms, largest first</option>` +
    `<option value="low">baseline value, lowest first</option><option value="high">baseline value, highest first</option></select></label>` +
    `<label>Baseline arm<select id="dd-base"></select></label>` +
    `<label>Find<input id="dd-search" type="search" placeholder="query text or id"></label></div>` +
    `<p id="dd-count" class="note" aria-live="polite"></p>` +
    `<div class="scroll"><table id="dd-list"><thead><tr><th scope="col">query</th><th scope="col">text</th>` +
    `<th scope="col" class="num">baseline</th><th scope="col" class="num">min</th><th scope="col" class="num">max</th>` +
    `<th scope="col" class="num">arms losing relevant docs</th></tr></thead><tbody></tbody></table></div></section>` +
    `<section id="dd-detail" tabindex="-1" aria-live="polite" hidden></section>` +
    `<script type="application/json" id="dd-data">${scriptJson(data)}</script>` +
    `<script>(${drilldownClient.toString()})();</script>`
  );
}

/* The browser side. Plain ES2023 with `any` DOM handles: this function's source text is what the page runs. */
/* eslint-disable @typescript-eslint/no-explicit-any */
function drilldownClient(): void {
  const doc: any = (globalThis as any).document;
  const data: any = JSON.parse(doc.getElementById('dd-data').textContent);
  const $ = (id: string): any => doc.getElementById(id);
  const el = (tag: string, text?: string | null, cls?: string): any => {
    const node = doc.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  };
  const fmt = (v: any): string => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(3));
  const fill = (select: any, items: string[]) => items.forEach((text, i) => select.appendChild(Object.assign(el('option', text), { value: String(i) })));
  fill($('dd-metric'), data.metrics);
  fill($('dd-base'), data.arms.map((a: any) => a.name));
  $('dd-base').value = String(data.baselineArm);

  const values = (q: any, metric: string): number[] =>
    data.arms.map((a: any) => a.results[q.id]?.metrics[metric]).filter((v: any) => typeof v === 'number' && Number.isFinite(v));
  const topRelevant = (arm: any, q: any): string[] =>
    Object.entries(arm.results[q.id]?.relevantRanks ?? {}).filter(([, r]: any) => r <= data.k).map(([d]) => d);
  const losing = (q: any, base: number): number => {
    const kept = topRelevant(data.arms[base], q);
    return data.arms.filter((a: any, i: number) => i !== base && a.results[q.id] && kept.some((d) => !topRelevant(a, q).includes(d))).length;
  };

  function renderList(): void {
    const metric = data.metrics[Number($('dd-metric').value)] ?? data.metrics[0];
    const base = Number($('dd-base').value);
    const filter = $('dd-filter').value;
    const sort = $('dd-sort').value;
    const needle = String($('dd-search').value).toLowerCase();
    let rows = data.queries.map((q: any, order: number) => {
      const vs = values(q, metric);
      const min = vs.length ? Math.min(...vs) : NaN;
      const max = vs.length ? Math.max(...vs) : NaN;
      const b = data.arms[base]?.results[q.id]?.metrics[metric];
      return { q, order, min, max, spread: vs.length ? max - min : 0, base: typeof b === 'number' ? b : NaN, lost: losing(q, base) };
    });
    // "Disagree": the spread across arms exceeds a quarter of the largest magnitude (0 vs 1 on recall; 500 vs 1,200 tokens).
    if (filter === 'disagree') rows = rows.filter((r: any) => r.spread > 0.25 * Math.max(Math.abs(r.max), Math.abs(r.min), 1e-12));
    if (filter === 'lost') rows = rows.filter((r: any) => r.lost > 0);
    if (needle) rows = rows.filter((r: any) => r.q.id.toLowerCase().includes(needle) || r.q.text.toLowerCase().includes(needle));
    const key = (r: any, v: number) => (Number.isFinite(v) ? v : sort === 'low' ? Infinity : -Infinity);
    if (sort === 'spread') rows.sort((a: any, b: any) => b.spread - a.spread || a.order - b.order);
    if (sort === 'low') rows.sort((a: any, b: any) => key(a, a.base) - key(b, b.base) || a.order - b.order);
    if (sort === 'high') rows.sort((a: any, b: any) => key(b, b.base) - key(a, a.base) || a.order - b.order);
    const body = doc.querySelector('#dd-list tbody');
    body.textContent = '';
    const shown = rows.slice(0, 500);
    for (const r of shown) {
      const tr = el('tr');
      const link = el('a', r.q.id);
      link.href = `#query=${encodeURIComponent(r.q.id)}`;
      tr.appendChild(el('td')).appendChild(link);
      tr.appendChild(el('td', r.q.text.length > 140 ? `${r.q.text.slice(0, 139)}…` : r.q.text));
      for (const v of [r.base, r.min, r.max]) tr.appendChild(el('td', fmt(v), 'num'));
      tr.appendChild(el('td', String(r.lost), 'num'));
      body.appendChild(tr);
    }
    $('dd-count').textContent = `${rows.length} of ${data.queries.length} queries${rows.length > shown.length ? ` (first ${shown.length} listed; narrow with Find)` : ''} · ${metric}`;
  }

  /** Chunk text with every labelled span of the query inside it wrapped in <mark>. */
  function chunkText(text: string, start: number, spans: any[]): any {
    const box = el('div', null, 'text');
    const cuts = spans
      .map((s: any) => [Math.max(s.start, start) - start, Math.min(s.end, start + text.length) - start])
      .filter(([a, b]: number[]) => b! > a!)
      .sort((x: number[], y: number[]) => x[0]! - y[0]!);
    let at = 0;
    for (const [a, b] of cuts as number[][]) {
      if (b! <= at) continue;
      const from = Math.max(a!, at);
      box.appendChild(doc.createTextNode(text.slice(at, from)));
      box.appendChild(el('mark', text.slice(from, b)));
      at = b!;
    }
    box.appendChild(doc.createTextNode(text.slice(at)));
    return box;
  }

  function renderQuery(id: string): void {
    const panel = $('dd-detail');
    const q = data.queries.find((x: any) => x.id === id);
    if (!q) {
      panel.hidden = true;
      return;
    }
    panel.textContent = '';
    panel.hidden = false;
    panel.appendChild(el('h2', `Query ${q.id}`));
    panel.appendChild(el('p', q.text, 'qtext'));
    const judged = Object.entries(q.judged);
    panel.appendChild(el('h3', `Judged relevant documents (${judged.length})`));
    const list = panel.appendChild(el('ul'));
    for (const [docId, grade] of judged) list.appendChild(el('li', `${docId} · grade ${grade}${data.documents[docId]?.title ? ` · ${data.documents[docId].title}` : ''}`));
    if (q.spans?.length) {
      panel.appendChild(el('h3', `Labelled spans (${q.spans.length})`));
      const spans = panel.appendChild(el('ul'));
      for (const s of q.spans) {
        const li = spans.appendChild(el('li', `${s.docId} [${s.start}, ${s.end}) grade ${s.grade}: `));
        li.appendChild(el('mark', data.documents[s.docId]?.text.slice(s.start, s.end) ?? '(document not stored)'));
      }
    }
    data.arms.forEach((arm: any, i: number) => {
      const r = arm.results[q.id];
      if (!r) return;
      const box = panel.appendChild(el('details', null, 'arm'));
      box.open = i < 4;
      const head = data.metrics.filter((m: string) => m in r.metrics).map((m: string) => `${m} ${fmt(r.metrics[m])}`).join(' · ');
      box.appendChild(el('summary', `${arm.name} — ${head}`));
      const ol = box.appendChild(el('ol', null, 'chunks'));
      r.chunks.forEach(([docId, start, end, score]: any[], rank: number) => {
        const li = ol.appendChild(el('li'));
        const grade = q.judged[docId];
        const meta = li.appendChild(el('div', null, 'meta'));
        meta.appendChild(el('span', `#${rank + 1}`));
        meta.appendChild(el('span', `doc ${docId}`));
        meta.appendChild(el('span', start >= 0 ? `chars ${start}–${end}` : 'document'));
        meta.appendChild(el('span', `score ${Number(score).toPrecision(4)}`));
        meta.appendChild(el('span', grade ? `✓ relevant (grade ${grade})` : '✗ not relevant', grade ? 'rel' : 'notrel'));
        const text = data.documents[docId]?.text;
        if (text === undefined) li.appendChild(el('div', '(document text not stored in this run folder)', 'note'));
        else {
          const [s, e] = start >= 0 ? [start, end] : [0, text.length];
          li.appendChild(chunkText(text.slice(s, e), s, (q.spans ?? []).filter((x: any) => x.docId === docId)));
        }
      });
      if (r.answer) {
        box.appendChild(el('h3', `Answer${r.answer.label ? ` (${r.answer.label})` : ''}`));
        box.appendChild(el('p', r.answer.text || '(empty)'));
        const ul = box.appendChild(el('ul'));
        for (const [m, v] of Object.entries(r.answer.scores)) ul.appendChild(el('li', `${m}: ${fmt(v)}${r.answer.reasons[m] ? ` — ${r.answer.reasons[m]}` : ''}`));
        for (const [m, claims] of Object.entries(r.answer.claims ?? {}) as [string, any[]][]) {
          box.appendChild(el('h3', `${m}: the judge's verdict per claim`));
          const table = box.appendChild(el('table', null, 'claims'));
          const headRow = table.appendChild(el('thead')).appendChild(el('tr'));
          for (const name of ['claim', 'verdict', 'quote from the context']) headRow.appendChild(el('th', name)).setAttribute('scope', 'col');
          const tbody = table.appendChild(el('tbody'));
          for (const c of claims) {
            const tr = tbody.appendChild(el('tr'));
            tr.appendChild(el('td', c.claim));
            tr.appendChild(el('td', `${c.verdict}${c.downgraded ? ' (quote not found in the context: downgraded)' : ''}`, `c-${c.verdict}`));
            tr.appendChild(el('td', c.quote));
          }
        }
      }
    });
    panel.focus();
  }

  const route = () => {
    const match = /^#query=(.*)$/.exec((globalThis as any).location.hash);
    if (match) renderQuery(decodeURIComponent(match[1]!));
  };
  for (const id of ['dd-metric', 'dd-filter', 'dd-sort', 'dd-base']) $(id).addEventListener('change', renderList);
  $('dd-search').addEventListener('input', renderList);
  (globalThis as any).addEventListener('hashchange', route);
  renderList();
  route();
}
