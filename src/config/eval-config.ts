import { z } from 'zod';

/** A reference to another config: a name (`recursive-800` → `../chunkers/recursive-800.yaml`), a path, or inline. */
const reference = z.union([z.string().min(1), z.looseObject({ kind: z.string() })]);

/** `evals/*.yaml`: corpus × chunkers × retrievers × metrics. */
export const evalConfigSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'name may hold letters, digits, ".", "_" and "-"').optional(),
  description: z.string().optional(),
  corpus: z.union([z.string().min(1), z.looseObject({ path: z.string() })]),
  chunkers: z.array(reference).min(1, 'list at least one chunker'),
  retrievers: z.array(reference).min(1, 'list at least one retriever'),
  metrics: z.array(z.string()).min(1, 'list at least one metric, e.g. ndcg@10').default(['recall@10', 'mrr@10', 'ndcg@10']),
  /** Chunks retrieved per query before mapping to documents; default: enough for the largest metric cut-off. */
  depth: z.number().int().positive().optional(),
  /** Score queries with no relevant documents as 0 instead of leaving them out (trec_eval -c). */
  includeUnjudged: z.boolean().default(false),
  /** Evaluate only the first N queries (a quick look before a full run). */
  queryLimit: z.number().int().positive().optional(),
  bootstrap: z
    .strictObject({
      resamples: z.number().int().min(100).default(2000),
      confidence: z.number().gt(0).lt(1).default(0.95),
      seed: z.number().int().default(42),
    })
    .default({ resamples: 2000, confidence: 0.95, seed: 42 }),
});

export type EvalConfig = z.output<typeof evalConfigSchema>;
