import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../../shared/errors.js';
import { compareIds, writeJsonl, writeQrels, type Judgment } from './beir-writer.js';
import type { ConvertSummary } from '../converter-types.js';

interface PqalArticle {
  QUESTION: string;
  CONTEXTS: string[];
  LABELS: string[];
  MESHES?: string[];
  YEAR?: string | null;
  reasoning_required_pred?: string;
  reasoning_free_pred?: string;
  final_decision: string;
  LONG_ANSWER: string;
}

/**
 * PubMedQA PQA-L as a QA set and a retrieval set: one passage per abstract section (verbatim, no title, since
 * the question is the title), each question judged against its own abstract's sections.
 */
export async function convertPubmedqa(raw: string, out: string): Promise<ConvertSummary> {
  const articles = JSON.parse(await readFile(join(raw, 'ori_pqal.json'), 'utf8')) as Record<string, PqalArticle>;
  const testLabels = JSON.parse(await readFile(join(raw, 'test_ground_truth.json'), 'utf8')) as Record<string, string>;
  const pmids = Object.keys(articles).sort(compareIds);
  for (const [pmid, label] of Object.entries(testLabels)) {
    const article = articles[pmid];
    if (!article) throw new DataError(`test_ground_truth.json names PMID ${pmid}, which is not in ori_pqal.json`, { place: { file: 'test_ground_truth.json' } });
    if (article.final_decision !== label) {
      throw new DataError(`PMID ${pmid}: test label ${label} differs from final_decision ${article.final_decision}`, { place: { file: 'test_ground_truth.json' } });
    }
  }
  const passages: unknown[] = [];
  const judgments: Judgment[] = [];
  const qa: unknown[] = [];
  for (const pmid of pmids) {
    const article = articles[pmid]!;
    if (article.CONTEXTS.length !== article.LABELS.length) {
      throw new DataError(`PMID ${pmid}: ${article.CONTEXTS.length} contexts but ${article.LABELS.length} labels`, { place: { file: 'ori_pqal.json' } });
    }
    const contextIds = article.CONTEXTS.map((_, k) => `${pmid}-${k}`);
    article.CONTEXTS.forEach((text, k) => {
      passages.push({
        _id: contextIds[k],
        title: '',
        text,
        metadata: { pmid, section_label: article.LABELS[k], section_index: k, year: article.YEAR ?? null, meshes: article.MESHES ?? [] },
      });
      judgments.push({ queryId: pmid, docId: contextIds[k]!, score: 1 });
    });
    qa.push({
      id: pmid,
      question: article.QUESTION,
      answers: [article.final_decision],
      long_answer: article.LONG_ANSWER,
      context_ids: contextIds,
      split: pmid in testLabels ? 'test' : 'dev',
      reasoning_required_pred: article.reasoning_required_pred,
      reasoning_free_pred: article.reasoning_free_pred,
    });
  }
  const documents = await writeJsonl(join(out, 'corpus.jsonl'), passages);
  const queries = await writeJsonl(join(out, 'queries.jsonl'), pmids.map((pmid) => ({ _id: pmid, text: articles[pmid]!.QUESTION })));
  await writeJsonl(join(out, 'qa.jsonl'), qa);
  await writeQrels(out, judgments);
  return { documents, queries, judgments: judgments.length };
}
