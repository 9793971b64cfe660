import type { z } from 'zod';
import type { PluginDefinition } from '../shared/plugin.js';

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** One answer. Token counts are the server's `usage` (0 when it reports none). */
export interface Completion {
  readonly text: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Wall time of the request, retries included, waiting for a concurrency slot not; 0 when served from a cache. */
  readonly latencyMs: number;
  /** True when a cache answered and no request was made (so it cost nothing this run). */
  readonly cached: boolean;
  /** The model that answered as the server names it (may be a dated snapshot, e.g. gpt-4o-mini-2024-07-18). */
  readonly model: string;
}

export interface CompleteOptions {
  /** Overrides the model's default temperature for this call. */
  temperature?: number;
  /** Upper bound on output tokens for this call. */
  maxTokens?: number;
  /** Best-effort determinism where the server supports it (OpenAI, vLLM). */
  seed?: number;
  signal?: AbortSignal;
  /**
   * JSON schema for structured output; `text` is then JSON that matches it (checked, or a ServiceError). When the
   * server lacks support, falls back to json_object + validation.
   */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
}

/** Text in, text out: the answer generator and the faithfulness judge both take one as an argument. */
export interface ChatModel {
  /**
   * Model id, endpoint and the defaults that shape answers (temperature, maxTokens): what makes two models'
   * answers comparable; completion caches are keyed by it. Never contains secrets.
   */
  readonly fingerprint: string;
  /** The configured model id. */
  readonly model: string;
  /**
   * The temperature a call without `temperature` runs at; undefined when the server decides. Wrappers use it to
   * tell deterministic calls (cacheable) from sampled ones.
   */
  readonly defaultTemperature?: number | undefined;
  /** Throws ServiceError (with `retryable`) when the service fails for good, the signal's reason on abort. */
  complete(messages: readonly ChatMessage[], options?: CompleteOptions): Promise<Completion>;
}

/** A chat model kind; `create` is async so heavy clients load only when used. */
export type ChatModelDefinition = PluginDefinition<z.ZodType, Promise<ChatModel>>;
