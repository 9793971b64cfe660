import { formatDifference, formatP, readComparison, verdictNames } from './rules.js';
import type { DecisionArm, DecisionArmKind, DecisionReport } from './summary.js';
import { formatScoredEstimate } from '../run/format.js';
import { unreliableNullShare } from '../../metrics/answers.js';
import type { ScoredEstimate } from '../run/summary.js';
import { ciBarChart, escapeXml as h, lineChart, palette, valueBarChart } from '../svg-charts.js';

/**
 * decision.html: one self-contained page (inline CSS and SVG; no script, font, image or link to fetch, so it opens
 * offline and from an email attachment). Every text from data is escaped: documents and answers may hold HTML.
 */
export function renderDecisionHtml(report: DecisionReport): string {
  const { settings, recommendation: rec } = report;
  const pct = Math.round(settings.confidence * 100);
  const primary = settings.primaryMetric;
  const body = [
    `<header><h1>Prompt-only, RAG or fine-tuning?</h1><p class="sub">${h(report.evalName)} · ${report.questions} questions from ${h(report.corpus.name)} ` +
      `(${report.corpus.documents.toLocaleString('en')} documents) · answerer ${h(report.answerer)}</p></header>`,
    `<section class="verdict v-${rec.verdict}"><div class="label">Recommendation</div><div class="big">${h(verdictNames[rec.verdict])}</div>` +
      `<p class="headline">${h(rec.headline)}</p><h3>Why</h3><ul>${rec.evidence.map((e) => `<li>${h(e)}</li>`).join('')}</ul>` +
      (rec.smallSample ? `<div class="warn"><strong>Small sample.</strong> ${rec.smallSampleNotes.map(h).join(' ')}</div>` : '') +
      `</section>`,
    `<section><h2>How each setup scores</h2><p class="note">${h(primary)} per arm: the bar is the mean, the whisker its ${pct}% confidence interval, ` +
      `the dashed line the good-enough bar (${settings.goodEnough}). Whether two arms differ is read from the paired comparisons below, not from overlapping whiskers.</p>` +
      ciBarChart({
        title: `${primary} by arm`,
        bars: report.arms.map((arm) => ({ label: arm.name, ...barOf(arm.metrics[primary]), color: kindColor[arm.kind] })),
        reference: { value: settings.goodEnough, label: `good enough ${settings.goodEnough}` },
      }) +
      metricTable(report) +
      report.skipped.map((s) => `<p class="note"><strong>${h(s.name)} skipped:</strong> ${h(s.reason)}.</p>`).join('') +
      `</section>`,
    `<section><h2>Are the differences real?</h2><p class="note">Difference a − b in ${h(primary)} on the questions both arms could score, ` +
      `with its ${pct}% paired bootstrap interval; p from a paired randomization test, Holm-adjusted across all rows. "About the same" = interval inside ` +
      `±${settings.equivalenceMargin}; "clearly" = beyond the margin with Holm p &lt; ${settings.alpha}.</p>${comparisonTable(report)}</section>`,
    recallSection(report),
    costSection(report),
    `<section><h2>Where answers fail</h2><p class="note">A question fails when its ${h(primary)} is below 0.5, or the answer is empty, ` +
      `lacks the yes/no/maybe label, or is not supported by its passages (faithfulness below ${settings.faithfulEnough}). The worst few per arm:</p>` +
      report.arms.map(failureBlock).join('') +
      `</section>`,
    `<footer>Run ${h(report.runId)} · ${h(report.createdAt)} · numbers in decision.json, every answer in results.jsonl.</footer>`,
  ];
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${h(`Decision: ${report.evalName}`)}</title><style>${css}</style></head><body><main>${body.join('\n')}</main></body></html>\n`;
}

const kindColor: Readonly<Record<DecisionArmKind, string>> = { 'closed-book': '#8c8c8c', retrieved: palette[0], gold: '#d4a017', 'whole-corpus': palette[2] };

const css = `
body{margin:0;background:#f5f6f8;color:#1f2328;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1080px;margin:0 auto;padding:24px 32px 48px}
h1{margin:0;font-size:28px}h2{font-size:20px;margin:0 0 8px}h3{font-size:15px;margin:14px 0 4px}
.sub{color:#57606a;margin:4px 0 0}
section{background:#fff;border:1px solid #d8dee4;border-radius:10px;padding:18px 22px;margin:18px 0}
.verdict{border-left:8px solid #57606a}.verdict .label{text-transform:uppercase;letter-spacing:.08em;font-size:12px;color:#57606a}
.verdict .big{font-size:30px;font-weight:700;margin:2px 0}.headline{font-size:17px;margin:4px 0 0}
.v-prompt-only{border-left-color:#2da44e}.v-rag{border-left-color:#0969da}.v-improve-retrieval{border-left-color:#bf8700}
.v-fine-tune-or-stronger-model{border-left-color:#cf222e}.v-inconclusive{border-left-color:#8c959f}
.warn{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:8px 12px;margin-top:12px;font-size:14px}
.note{color:#57606a;font-size:13px}
table{border-collapse:collapse;width:100%;margin:10px 0;font-size:13px}
th,td{border-bottom:1px solid #eaeef2;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.tag{display:inline-block;background:#eef1f4;border-radius:10px;padding:0 8px;margin:1px 2px;font-size:12px}
.r-clearly-better{color:#1a7f37;font-weight:600}.r-clearly-worse{color:#cf222e;font-weight:600}.r-about-the-same{color:#0969da}.r-unclear{color:#8c959f}
.fail td{font-size:12.5px}.fail td:nth-child(1){width:28%}.fail td:nth-child(4){width:24%;color:#57606a}
footer{color:#8c959f;font-size:12px;text-align:center}
svg{display:block;margin:8px 0}
`;

function barOf(estimate: ScoredEstimate | undefined): { mean: number | null; lower?: number; upper?: number } {
  return estimate && estimate.mean !== null ? { mean: estimate.mean, lower: estimate.lower, upper: estimate.upper } : { mean: null };
}

function metricTable(report: DecisionReport): string {
  const head = `<tr><th>arm</th>${report.answerMetrics.map((m) => `<th>${h(m)}</th>`).join('')}</tr>`;
  const rows = report.arms.map((arm) => `<tr><td>${h(arm.name)}</td>${report.answerMetrics.map((m) => `<td class="num">${cell(arm.metrics[m])}</td>`).join('')}</tr>`);
  return `<table><thead>${head}</thead><tbody>${rows.join('')}</tbody></table><p class="note">Cells: mean [${Math.round(report.settings.confidence * 100)}% CI] (null: questions it could not score / all; UNRELIABLE above ${unreliableNullShare * 100}%).</p>`;
}

function cell(estimate: ScoredEstimate | undefined): string {
  return formatScoredEstimate(estimate);
}

function comparisonTable(report: DecisionReport): string {
  const rows = report.comparisons.map((c) => {
    const reading = readComparison(c, report.settings);
    return `<tr><td>${h(c.a)}</td><td>${h(c.b)}</td><td class="num">${c.n}</td><td class="num">${h(formatDifference(c))}</td>` +
      `<td class="num">${h(formatP(c.p))}</td><td class="num">${h(formatP(c.pHolm))}</td><td class="r-${reading.replace(/ /g, '-')}">${h(reading)}</td></tr>`;
  });
  return `<table><thead><tr><th>a</th><th>b</th><th>questions</th><th>a − b [CI]</th><th>p</th><th>Holm p</th><th>reading</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function recallSection(report: DecisionReport): string {
  const retrieved = report.arms.filter((arm) => arm.recallCurve && arm.recallCurve.length > 0);
  if (retrieved.length === 0) return '';
  const chart = lineChart({
    title: `recall@k, k = 1..${report.settings.depth}`,
    xLabel: 'k (documents retrieved)',
    yLabel: 'recall',
    series: retrieved.map((arm) => ({ name: arm.name, values: arm.recallCurve! })),
  });
  return `<section><h2>Does retrieval find the right passages?</h2><p class="note">Share of the judged-relevant documents among the top k retrieved, ` +
    `per retrieval setup; the answerer sees the top ${report.settings.contextK} chunks.</p>${chart}</section>`;
}

function costSection(report: DecisionReport): string {
  const perQuestion = (arm: DecisionArm) => (arm.cost.questions > 0 ? (arm.cost.inputTokens + arm.cost.outputTokens) / arm.cost.questions : 0);
  const text = (arm: DecisionArm) => {
    const money = arm.cost.usd === null ? 'USD unknown (no price)' : `$${((arm.cost.usd / Math.max(1, arm.cost.questions)) * 1000).toFixed(3)} per 1,000 questions`;
    return `${Math.round(perQuestion(arm)).toLocaleString('en')} tokens/question · ${money}`;
  };
  const offline = report.arms.every((arm) => arm.cost.inputTokens + arm.cost.outputTokens === 0);
  const chart = valueBarChart({ title: 'Answer tokens per question', bars: report.arms.map((arm) => ({ label: arm.name, value: perQuestion(arm), text: text(arm), color: kindColor[arm.kind] })) });
  const reasons = [...new Set(report.arms.flatMap((arm) => (arm.cost.reason ? [arm.cost.reason] : [])))];
  return `<section><h2>What each setup costs</h2><p class="note">${offline ? 'The answerer runs offline: no model tokens, no cost. ' : ''}` +
    `Tokens of the answering model (cached answers included, judge calls excluded), at list prices.${reasons.map((r) => ` ${h(r)}.`).join('')}</p>${chart}</section>`;
}

function failureBlock(arm: DecisionArm): string {
  const counts = Object.entries(arm.failureCounts).map(([category, n]) => `<span class="tag">${h(category)} ${n}</span>`).join('');
  const head = `<h3>${h(arm.name)}: ${arm.failing} of ${arm.cost.questions} failing ${counts}</h3>`;
  if (arm.topFailures.length === 0) return `${head}<p class="note">No failing questions.</p>`;
  const rows = arm.topFailures.map((f) => `<tr><td>${h(f.question)}</td><td>${h(f.gold)}</td><td>${h(f.answer)}</td><td>${h(f.why)}</td></tr>`);
  return `${head}<table class="fail"><thead><tr><th>question</th><th>gold</th><th>answer</th><th>why it failed</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
