import type { ArmComparison, Comparison } from './summary.js';
import { familyNote, formatDelta, formatGate, formatInterval, formatMean, formatP, formatRanks, gateCounts } from './format.js';
import { drilldownSection } from '../run/drilldown-html.js';
import { htmlPage } from '../html-page.js';
import { renderPairwiseHtml } from '../run/pairwise.js';
import type { ComparisonReportModel } from '../run/html-model.js';
import { escapeXml as h } from '../svg-charts.js';

/** Queries listed per arm under "changed most": enough to act on, few enough to read. */
const changedQueries = 15;

/**
 * The comparison page (`ragbench compare` writes it; `ragbench view` serves it): the gate verdict first, then what
 * changed between the runs, per arm every metric's means, delta with its interval and p-values (the same numbers
 * and precision as the terminal table), the queries that changed most, and the drill-down over both runs' arms.
 */
export function renderComparisonHtml(model: ComparisonReportModel, options: { readonly nav?: string } = {}): string {
  const c = model.comparison;
  const failed = c.arms.flatMap((arm) =>
    arm.metrics.filter((m) => m.verdict === 'fail' || m.verdict === 'inconclusive').map((m) => `${arm.arm}: ${m.metric} — ${m.verdict}: ${m.explanation ?? m.reasons.join('; ')}`),
  );
  const counts = gateCounts(c);
  const verdict = !c.gated ? 'no gate' : counts.failed > 0 ? 'gate failed' : counts.blocking > 0 ? 'gate inconclusive' : 'gate passed';
  const tone = !c.gated ? '' : counts.failed > 0 ? 'fail' : counts.blocking > 0 ? 'inconclusive' : 'pass';
  const body = [
    `<header><h1>${h(c.baseline.runId)} → ${h(c.candidate.runId)}</h1><p class="sub">baseline ${h(c.baseline.evalName)} (${h(c.baseline.createdAt)}) · ` +
      `candidate ${h(c.candidate.evalName)} (${h(c.candidate.createdAt)})</p></header>`,
    `<section class="verdict ${tone}" aria-labelledby="gate-h"><h2 id="gate-h">Regression gate</h2>` +
      `<div class="big" id="gate-verdict">${h(verdict)}</div>` +
      (failed.length > 0 ? `<ul>${failed.map((f) => `<li>${h(f)}</li>`).join('')}</ul>` : '') +
      `<p class="note">Each gated check is a non-inferiority test: L, U = one-sided paired-bootstrap bounds of Δ at 1 − α/F (Bonferroni over the F gated checks). ` +
      `It passes when L ≥ −maxDrop, fails when U < −maxDrop or the mean is below minValue, and is inconclusive otherwise (blocking unless onInconclusive: pass). ` +
      `${c.gated ? '' : 'Neither the candidate eval nor a gate file defines a gate, so nothing can fail.'}</p></section>`,
    changesSection(c),
    ...c.arms.map((arm) => armSection(arm, c)),
    c.armsOnlyInBaseline.length + c.armsOnlyInCandidate.length > 0
      ? `<section><h2>Arms in one run only</h2><p>baseline only: ${h(c.armsOnlyInBaseline.join(', ') || 'none')}; candidate only: ${h(c.armsOnlyInCandidate.join(', ') || 'none')}</p></section>`
      : '',
    c.withinCandidate ? renderPairwiseHtml(c.withinCandidate, 'Within the candidate run: its arms compared with each other') : '',
    model.drilldown
      ? drilldownSection(model.drilldown, `Every arm of both runs, on the queries both scored. The baseline arm defaults to the baseline run's first arm; ` +
          `"lost relevant documents" lists queries where a relevant document in the baseline arm's top ${model.drilldown.k} is missing from another arm's.`)
      : `<section><h2>Queries</h2><p class="note">One of the run folders has no queries.jsonl / documents.jsonl (an older ragbench): no drill-down.</p></section>`,
    `<footer>seed ${c.settings.seed} · ${c.settings.permutations.toLocaleString('en')} sign flips at most per test when not exact (sequential) · ${Math.round(c.settings.confidence * 100)}% paired bootstrap intervals · ` +
      `α ${c.settings.alpha} for ungated metrics</footer>`,
  ];
  return htmlPage({ title: `ragbench compare: ${c.baseline.runId} → ${c.candidate.runId}`, body: body.join('\n'), ...(options.nav ? { nav: options.nav } : {}) });
}

function changesSection(c: Comparison): string {
  if (c.changes.length === 0) return `<section><h2>What changed</h2><p>Nothing in the manifests differs (same corpus, settings and versions).</p></section>`;
  const rows = c.changes.map(
    (ch) => `<tr><td>${h(ch.scope)}</td><td>${h(ch.path)}</td><td>${h(ch.baseline ?? '(absent)')}</td><td>${h(ch.candidate ?? '(absent)')}</td></tr>`,
  );
  return `<section><h2>What changed</h2><div class="scroll"><table><thead><tr><th scope="col">scope</th><th scope="col">setting</th>` +
    `<th scope="col">baseline</th><th scope="col">candidate</th></tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
}

function armSection(arm: ArmComparison, c: Comparison): string {
  const rows = arm.metrics.map(
    (m) =>
      `<tr data-metric="${h(m.metric)}"><th scope="row">${h(m.metric)}</th><td class="num">${formatMean(m.baselineMean)}</td><td class="num">${formatMean(m.candidateMean)}</td>` +
      `<td class="num">${h(formatDelta(m.delta))}</td><td class="num">${h(formatInterval(m.ci))}</td><td class="num">${h(formatP(m.pDropHolm))}</td>` +
      `<td class="num">${h(formatP(m.pTwoSidedHolm))}</td><td class="num">${m.gateTest ? h(formatInterval(m.gateTest)) : '—'}</td><td>${h(formatGate(m.gate))}</td>` +
      `<td class="v-${m.verdict}">${h(m.verdict)}${m.explanation ? `: ${h(m.explanation)}` : ''}${m.reasons.filter((r) => r !== m.explanation).map((r) => `; ${h(r)}`).join('')}</td></tr>`,
  );
  const table =
    `<div class="scroll"><table><thead><tr><th scope="col">metric</th><th scope="col" class="num">baseline</th><th scope="col" class="num">candidate</th>` +
    `<th scope="col" class="num">delta</th><th scope="col" class="num">${Math.round(c.settings.confidence * 100)}% CI</th><th scope="col" class="num">p drop (Holm)</th>` +
    `<th scope="col" class="num">p two-sided (Holm)</th><th scope="col" class="num">gate bounds</th><th scope="col">gate</th><th scope="col">verdict</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
  const lost = arm.queryDiffs.filter((d) => d.lost.length > 0).length;
  const gained = arm.queryDiffs.filter((d) => d.gained.length > 0).length;
  const diffs = arm.hasRankDiff
    ? `<h3>Queries that changed most</h3><p class="note">${lost} queries lost and ${gained} gained a relevant document in the top ${c.settings.diffK}; ` +
      `most lost first (ranks baseline→candidate; — = beyond the run's depth).</p>${diffTable(arm, c)}`
    : `<p class="note">These run folders did not record relevant ranks, so no per-query diff.</p>`;
  return `<section aria-label="${h(arm.arm)}"><h2>${h(arm.arm)} <span class="tag">${arm.passed ? 'passed' : arm.metrics.some((m) => m.verdict === 'fail') ? 'failed' : 'inconclusive'}</span></h2><p class="note">${arm.queries} queries in both runs` +
    `${arm.queriesOnlyInBaseline + arm.queriesOnlyInCandidate > 0 ? ` (${arm.queriesOnlyInBaseline} only in the baseline, ${arm.queriesOnlyInCandidate} only in the candidate)` : ''}; ` +
    `delta = candidate − baseline; ${h(familyNote(c))}.</p>${table}${diffs}</section>`;
}

function diffTable(arm: ArmComparison, c: Comparison): string {
  if (arm.queryDiffs.length === 0) return '';
  const metrics = arm.metrics.map((m) => m.metric);
  const docs = (changes: ArmComparison['queryDiffs'][number]['lost']) =>
    changes.map((r) => `${r.docId} ${formatRanks(r.baselineRank, r.candidateRank)}`).join(', ') || '—';
  const rows = arm.queryDiffs.slice(0, changedQueries).map(
    (d) =>
      `<tr><td><a href="#query=${encodeURIComponent(d.queryId)}">${h(d.queryId)}</a></td><td>${h(docs(d.lost))}</td><td>${h(docs(d.gained))}</td>` +
      `${metrics.map((m) => `<td class="num">${d.deltas[m] === undefined ? '' : h(formatDelta(d.deltas[m]!))}</td>`).join('')}</tr>`,
  );
  return `<div class="scroll"><table><thead><tr><th scope="col">query</th><th scope="col">lost (top ${c.settings.diffK})</th><th scope="col">gained</th>` +
    `${metrics.map((m) => `<th scope="col" class="num">Δ ${h(m)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}
