import type { Query } from '../../corpus/types.js';
import type { Hit, Retriever } from '../../retrievers/retriever.js';
import type { ShareProgress } from '../../stores/vector-store.js';

/**
 * The retrievers of one run, shared by every arm that uses one (its own arm, and hybrids listing it as a
 * component). Each keeps its rankings per query for the whole run, so a component is retrieved once per run, not
 * once per arm that fuses it. A retriever is open only while an arm uses it, as before pooling (embedded PGlite
 * allows one store per data dir at a time): closing the last arm's handle closes it, and a later arm opens it again
 * (its index reused) with the rankings kept.
 */
export interface RetrieverPool<Arm extends { readonly retriever: Retriever }> {
  /**
   * The arm for `key`: open already (another arm holds it: `reused` says how this arm reports it), or opened by
   * `build`. Closing the returned retriever releases this arm's hold.
   */
  acquire(key: string, build: () => Promise<Arm>, reused: (arm: Arm) => Arm): Promise<Arm>;
  close(): Promise<void>;
}

interface PoolEntry<Arm> {
  readonly rankings: Map<string, { k: number; hits: Hit[] }>;
  open?: Promise<Arm>;
  real?: Retriever;
  holds: number;
}

export function createRetrieverPool<Arm extends { readonly retriever: Retriever }>(): RetrieverPool<Arm> {
  const entries = new Map<string, PoolEntry<Arm>>();
  const release = async (entry: PoolEntry<Arm>) => {
    if (entry.holds === 0 || --entry.holds > 0) return;
    const real = entry.real;
    entry.open = undefined;
    entry.real = undefined;
    await real?.close();
  };
  return {
    async acquire(key, build, reused) {
      let entry = entries.get(key);
      if (!entry) entries.set(key, (entry = { rankings: new Map(), holds: 0 }));
      const current = entry;
      current.holds++;
      if (current.open) {
        try {
          return reused(await current.open);
        } catch (error) {
          current.holds--;
          throw error;
        }
      }
      current.open = build().then((arm) => {
        current.real = arm.retriever;
        return { ...arm, retriever: rememberRankings(arm.retriever, current.rankings, () => release(current)) };
      });
      try {
        return await current.open;
      } catch (error) {
        current.open = undefined;
        current.holds = 0;
        throw error;
      }
    },
    async close() {
      for (const entry of entries.values()) {
        const real = entry.real;
        entry.open = undefined;
        entry.real = undefined;
        entry.holds = 0;
        await real?.close();
      }
    },
  };
}

/**
 * The same retriever, answering repeated queries from memory: a query asked again with k ≤ the k it was retrieved
 * at gets the first k of that ranking (exact retrievers' rankings are prefixes of deeper ones: ties go by chunk
 * id); an approximate (ANN) retriever is reused only at the same k, since its top k of a deeper search can differ.
 * `close` releases the arm's hold (the pool closes the retriever when no arm holds it).
 */
function rememberRankings(retriever: Retriever, remembered: Map<string, { k: number; hits: Hit[] }>, release: () => Promise<void>): Retriever {
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
      if (property === 'close') return release;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
