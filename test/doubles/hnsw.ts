/**
 * A small HNSW graph (Malkov & Yashunin 2016, the index behind Weaviate and, in spirit, Pinecone's ANN) for the
 * service doubles, so their approximate answers miss neighbours the way a real index does: few links (`m`) or a
 * short search list (`ef`) lose recall, a generous one does not. Levels come from a seeded generator, so a
 * graph over the same inserts is the same graph on every run. Deletes are tombstones, as in Weaviate: the node
 * still routes searches but is never returned. Distances are "lower is closer".
 */
export interface HnswParams {
  /** Links per node on upper layers; layer 0 keeps 2·m (Weaviate's maxConnections, pgvector's m). */
  readonly m: number;
  readonly efConstruction: number;
  readonly seed?: number;
}

interface Node {
  readonly key: string;
  readonly vector: Float32Array;
  /** links[layer] = neighbour node numbers. */
  readonly links: number[][];
  deleted: boolean;
}

interface Scored {
  readonly node: number;
  readonly distance: number;
}

export class Hnsw {
  readonly #params: HnswParams;
  readonly #distance: (a: Float32Array, b: Float32Array) => number;
  readonly #nodes: Node[] = [];
  readonly #live = new Map<string, number>();
  readonly #random: () => number;
  #entry = -1;

  constructor(params: HnswParams, distance: (a: Float32Array, b: Float32Array) => number) {
    if (params.m < 2 || params.efConstruction < 1) throw new Error(`hnsw: m ≥ 2 and efConstruction ≥ 1, got ${params.m} and ${params.efConstruction}`);
    this.#params = params;
    this.#distance = distance;
    this.#random = mulberry32(params.seed ?? 1);
  }

  get size(): number {
    return this.#live.size;
  }

  /** Inserts `key`, replacing (tombstoning) an earlier vector under the same key. */
  add(key: string, vector: Float32Array): void {
    this.remove(key);
    const level = Math.floor(-Math.log(1 - this.#random()) / Math.log(this.#params.m));
    const id = this.#nodes.length;
    this.#nodes.push({ key, vector, links: Array.from({ length: level + 1 }, () => []), deleted: false });
    this.#live.set(key, id);
    if (this.#entry < 0) {
      this.#entry = id;
      return;
    }
    const top = this.#nodes[this.#entry]!.links.length - 1;
    let entry: Scored[] = [{ node: this.#entry, distance: this.#distance(vector, this.#nodes[this.#entry]!.vector) }];
    for (let layer = top; layer > level; layer--) entry = this.#searchLayer(vector, entry, 1, layer);
    for (let layer = Math.min(level, top); layer >= 0; layer--) {
      const found = this.#searchLayer(vector, entry, this.#params.efConstruction, layer);
      const max = layer === 0 ? 2 * this.#params.m : this.#params.m;
      for (const neighbour of found.slice(0, this.#params.m)) {
        this.#nodes[id]!.links[layer]!.push(neighbour.node);
        const links = this.#nodes[neighbour.node]!.links[layer]!;
        links.push(id);
        if (links.length > max) this.#shrink(neighbour.node, layer, max);
      }
      entry = found;
    }
    if (level > top) this.#entry = id;
  }

  remove(key: string): void {
    const id = this.#live.get(key);
    if (id === undefined) return;
    this.#nodes[id]!.deleted = true;
    this.#live.delete(key);
  }

  /**
   * The k nearest live keys HNSW finds with a candidate list of max(ef, k) on layer 0; `allow` filters results
   * only (filtered nodes still route), as Weaviate's "sweeping" filter strategy does.
   */
  search(query: Float32Array, k: number, ef: number, allow: (key: string) => boolean = () => true): { key: string; distance: number }[] {
    if (this.#entry < 0 || k <= 0) return [];
    let entry: Scored[] = [{ node: this.#entry, distance: this.#distance(query, this.#nodes[this.#entry]!.vector) }];
    for (let layer = this.#nodes[this.#entry]!.links.length - 1; layer > 0; layer--) entry = this.#searchLayer(query, entry, 1, layer);
    const keep = (node: number) => !this.#nodes[node]!.deleted && allow(this.#nodes[node]!.key);
    return this.#searchLayer(query, entry, Math.max(ef, k), 0, keep)
      .slice(0, k)
      .map(({ node, distance }) => ({ key: this.#nodes[node]!.key, distance }));
  }

  /**
   * The greedy beam search of one layer: the `ef` closest nodes found from `entry`. With `keep`, only kept nodes
   * enter the result list, while every node is a candidate to walk through.
   */
  #searchLayer(query: Float32Array, entry: readonly Scored[], ef: number, layer: number, keep?: (node: number) => boolean): Scored[] {
    const visited = new Set<number>(entry.map((e) => e.node));
    const candidates = [...entry].sort(byDistance);
    const results = keep ? entry.filter((e) => keep(e.node)).sort(byDistance) : [...entry].sort(byDistance);
    while (candidates.length > 0) {
      const nearest = candidates.shift()!;
      if (results.length >= ef && nearest.distance > results[results.length - 1]!.distance) break;
      for (const next of this.#nodes[nearest.node]!.links[layer] ?? []) {
        if (visited.has(next)) continue;
        visited.add(next);
        const distance = this.#distance(query, this.#nodes[next]!.vector);
        if (results.length >= ef && distance >= results[results.length - 1]!.distance) continue;
        insertSorted(candidates, { node: next, distance });
        if (keep && !keep(next)) continue;
        insertSorted(results, { node: next, distance });
        if (results.length > ef) results.pop();
      }
    }
    return results;
  }

  /** Keeps the `max` nearest links of `node` on `layer` (the simple selection of the paper). */
  #shrink(node: number, layer: number, max: number): void {
    const vector = this.#nodes[node]!.vector;
    const links = this.#nodes[node]!.links[layer]!;
    const kept = links
      .map((other) => ({ node: other, distance: this.#distance(vector, this.#nodes[other]!.vector) }))
      .sort(byDistance)
      .slice(0, max)
      .map((s) => s.node);
    links.splice(0, links.length, ...kept);
  }
}

const byDistance = (a: Scored, b: Scored) => a.distance - b.distance || a.node - b.node;

function insertSorted(list: Scored[], item: Scored): void {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (byDistance(list[mid]!, item) <= 0) low = mid + 1;
    else high = mid;
  }
  list.splice(low, 0, item);
}

/** mulberry32: a seeded generator (the contract suite's, so levels repeat run to run). */
export function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
