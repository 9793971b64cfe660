import { appendFile, mkdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson, hashText } from '../shared/hash.js';
import type { ChatMessage, ChatModel, CompleteOptions, Completion } from './chat-model.js';

interface CompletionCacheOptions {
  /** Cache root, conventionally `<workDir>/cache/completions` (see `completionCacheDir`). */
  readonly dir: string;
  /**
   * Also cache sampled calls (temperature > 0 or unknown, no seed). Off by default: a re-run would replay one
   * sample forever instead of sampling again, which hides the variance a sampled run exists to show.
   */
  readonly cacheNonDeterministic?: boolean;
}

interface CompletionCacheStats {
  /** Calls answered from the cache. */
  readonly hits: number;
  /** Cacheable calls sent to the inner model. */
  readonly misses: number;
  /** Calls not cacheable (sampled), sent to the inner model and not stored. */
  readonly bypassed: number;
}

interface CachedChatModel extends ChatModel {
  readonly stats: CompletionCacheStats;
  /** The folder this model's entries live in: `<dir>/<hash of the inner fingerprint>`. */
  readonly path: string;
}

export function completionCacheDir(workDir: string): string {
  return join(workDir, 'cache', 'completions');
}

const COMPLETIONS_FILE = 'completions.jsonl';

interface Entry {
  readonly key: string;
  readonly text: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly model: string;
}

/**
 * Wraps a chat model with an on-disk content-hash cache so re-runs cost nothing. The key is sha256 of the
 * canonical JSON of the messages, the inner fingerprint and every call option that changes the answer
 * (temperature, maxTokens, seed, jsonSchema); the signal is not part of it. Only deterministic calls are cached
 * unless `cacheNonDeterministic`: temperature 0 (the call's, else the model's default) or a seed.
 * Hits come back with `cached: true`, `latencyMs: 0` and the original token counts, so a ledger can tell
 * what a fresh run would cost from what this one did.
 *
 * Storage: `completions.jsonl` under one folder per inner fingerprint, one JSON line per answer, appended as
 * each call finishes, so an interrupted run keeps every answer it paid for. Loaded lazily on first use; a
 * truncated last line (a crash mid-write) is ignored and cut off before the next append.
 */
export function withCompletionCache(model: ChatModel, options: CompletionCacheOptions): CachedChatModel {
  const path = join(options.dir, hashText(model.fingerprint, 32));
  const file = join(path, COMPLETIONS_FILE);
  let entries: Promise<Map<string, Entry>> | undefined;
  // Appends are chained so concurrent calls never interleave lines within the file.
  let writes: Promise<void> = Promise.resolve();
  let hits = 0;
  let misses = 0;
  let bypassed = 0;

  async function load(): Promise<Map<string, Entry>> {
    await mkdir(path, { recursive: true });
    await writeFile(join(path, 'meta.json'), `${JSON.stringify({ fingerprint: model.fingerprint })}\n`);
    const map = new Map<string, Entry>();
    let content: string;
    try {
      content = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return map;
      throw error;
    }
    const complete = content.lastIndexOf('\n') + 1;
    for (const line of content.slice(0, complete).split('\n')) {
      const entry = parseEntry(line);
      if (entry) map.set(entry.key, entry);
    }
    // The next append would glue its line onto the partial one and lose both.
    if (complete < content.length) await truncate(file, Buffer.byteLength(content.slice(0, complete)));
    return map;
  }

  function keyOf(messages: readonly ChatMessage[], call: CompleteOptions, temperature: number | undefined): string {
    return hashText(
      canonicalJson({
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        fingerprint: model.fingerprint,
        temperature,
        maxTokens: call.maxTokens,
        seed: call.seed,
        jsonSchema: call.jsonSchema,
      }),
      64,
    );
  }

  return {
    fingerprint: model.fingerprint,
    model: model.model,
    defaultTemperature: model.defaultTemperature,
    path,
    get stats() {
      return { hits, misses, bypassed };
    },
    async complete(messages, call = {}): Promise<Completion> {
      const temperature = call.temperature ?? model.defaultTemperature;
      const deterministic = temperature === 0 || call.seed !== undefined;
      if (!deterministic && !options.cacheNonDeterministic) {
        bypassed++;
        return model.complete(messages, call);
      }
      call.signal?.throwIfAborted();
      entries ??= load().catch((error: unknown) => {
        entries = undefined;
        throw error;
      });
      const map = await entries;
      const key = keyOf(messages, call, temperature);
      const hit = map.get(key);
      if (hit) {
        hits++;
        return { text: hit.text, inputTokens: hit.inputTokens, outputTokens: hit.outputTokens, model: hit.model, latencyMs: 0, cached: true };
      }
      misses++;
      const completion = await model.complete(messages, call);
      // A completion the inner model itself served from a cache is stored all the same: its text is the answer.
      const entry: Entry = {
        key,
        text: completion.text,
        inputTokens: completion.inputTokens,
        outputTokens: completion.outputTokens,
        model: completion.model,
      };
      map.set(key, entry);
      // One write per answer: a crash can only cut the last line, which load() tolerates.
      const write = writes.then(() => appendFile(file, `${JSON.stringify(entry)}\n`));
      writes = write.catch(() => undefined);
      await write;
      return completion;
    },
  };
}

function parseEntry(line: string): Entry | undefined {
  if (line.trim() === '') return undefined;
  try {
    const value = JSON.parse(line) as Partial<Entry>;
    const valid =
      typeof value.key === 'string' &&
      typeof value.text === 'string' &&
      typeof value.inputTokens === 'number' &&
      typeof value.outputTokens === 'number' &&
      typeof value.model === 'string';
    // A line another version wrote in another shape is a miss, never a wrong answer.
    return valid ? (value as Entry) : undefined;
  } catch {
    return undefined;
  }
}
