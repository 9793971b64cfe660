import type { Query } from '../corpus/types.js';
import type { Hit, Retriever } from '../retrievers/retriever.js';
import type { ShareProgress } from '../stores/vector-store.js';

/**
 * The retrievers of one run, each created and indexed once per chunker × retriever config and shared by every arm
 * that uses it (its own arm, and hybrids listing it as a component). A shared retriever remembers its rankings per
 * query, so a component is retrieved once per run, not once per arm that fuses it. Closed once, at the run's end.
 */
export interface RetrieverPool<Arm extends { readonly retriever: Retriever }> {
  /** The arm for `key`, built by `build` on first use; later calls get the same (its ingest reported as reused). */
  acquire(key: string, build: () => Promise<Arm>, reused: (arm: Arm) => Arm): Promise<Arm>;
  close(): Promise<void>;
}

export function createRetrieverPool<Arm extends { readonly retriever: Retriever }>(): RetrieverPool<Arm> {
  const arms = new Map<string, Promise<Arm>>();
  const owned: Retriever[] = [];
  return {
    async acquire(key, build, reused) {
      const existing = arms.get(key);
      if (existing) return reused(await existing);
      const pending = build().then((arm) => {
        owned.push(arm.retriever);
        return { ...arm, retriever: rememberRankings(arm.retriever) };
      });
      arms.set(key, pending);
      pending.catch(() => arms.delete(key));
      return pending;
    },
    async close() {
      for (const retriever of owned.splice(0)) await retriever.close();
      arms.clear();
    },
  };
}

/**
 * The same retriever, answering repeated queries from memory: a query asked again with k ≤ the k it was retrieved
 * at gets the first k of that ranking (exact retrievers' rankings are prefixes of deeper ones: ties go by chunk
 * id); an approximate (ANN) retriever is reused only at the same k, since its top k of a deeper search can differ.
 * `close` does nothing: the pool closes the retriever.
 */
function rememberRankings(retriever: Retriever): Retriever {
  const remembered = new Map<string, { k: number; hits: Hit[] }>();
  const keyOf = (query: Query) => `${query.id}\0${query.text}`;
  const usable = (entry: { k: number } | undefined, k: number) =>
    entry !== undefined && (retriever.approximation ? entry.k === k : entry.k >= k);
  const retrieveBatch = async (queries: readonly Query[], k: number, signal?: AbortSignal, onProgress?: ShareProgress): Promise<Hit[][]> => {
    const missing = queries.filter((query) => !usable(remembered.get(keyOf(query)), k));
    const answered = new Map<string, Hit[]>();
    if (missing.length > 0) {
      const fresh = retriever.retrieveBatch
        ? await retriever.retrieveBatch(missing, k, signal, onProgress)
        : await Promise.all(missing.map((query) => retriever.retrieve(query, k, signal)));
      missing.forEach((query, i) => {
        const before = remembered.get(keyOf(query));
        answered.set(keyOf(query), fresh[i] ?? []);
        if (!before || before.k <= k) remembered.set(keyOf(query), { k, hits: fresh[i] ?? [] });
      });
    }
    onProgress?.(1);
    return queries.map((query) => answered.get(keyOf(query)) ?? remembered.get(keyOf(query))!.hits.slice(0, k));
  };
  return new Proxy(retriever, {
    get(target, property) {
      if (property === 'retrieveBatch') return retrieveBatch;
      if (property === 'retrieve') return async (query: Query, k: number, signal?: AbortSignal) => (await retrieveBatch([query], k, signal))[0] ?? [];
      if (property === 'close') return async () => {};
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
