import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHashingEmbedder } from '../../src/embedders/hashing.js';
import type { Embedder } from '../../src/embedders/embedder.js';

/**
 * A wire-level OpenAI-compatible test server (node:http on 127.0.0.1, a free port): the real `openai` client
 * talks to it over HTTP, so tests exercise our request building, batching, retries and error mapping end to end.
 * Embeddings come from the hashing embedder, so they are deterministic and similar texts are close. Chat answers
 * echo the last user message unless a test scripts them with `onChat`; usage counts words as tokens.
 */
export interface OpenAiServerOptions {
  /** The key `Authorization: Bearer …` must carry; default 'test-key'. */
  readonly apiKey?: string;
  /** Vector length for models the double does not know when the request sets no `dimensions`; default 1536. */
  readonly defaultDimensions?: number;
  /** Answer 400 to chat requests with response_format json_schema, as servers without structured outputs do. */
  readonly rejectJsonSchema?: boolean;
  /** Also accept `Authorization: Basic base64(user:password)` with this `user:password` (a proxy's login). */
  readonly basicAuth?: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** The query string's parameters. */
  readonly query?: Readonly<Record<string, string>>;
  /** The status the double answered with (injected failures included). */
  readonly status: number;
  readonly model?: string;
  /** Embedding input texts, or chat message contents, in request order. */
  readonly inputs: readonly string[];
  readonly dimensions?: number;
  readonly encodingFormat?: string;
  /** Chat only: the request as sent (messages with roles, sampling parameters, response_format). */
  readonly chat?: ChatRequest;
}

export type ChatMessageBody = { readonly role: string; readonly content: string };

/** A chat completion request as the double read it. */
export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly ChatMessageBody[];
  readonly temperature?: number;
  /** `max_completion_tokens` or `max_tokens`, whichever was sent (named by `maxTokensField`). */
  readonly maxTokens?: number;
  readonly maxTokensField?: 'max_completion_tokens' | 'max_tokens';
  readonly seed?: number;
  readonly responseFormat?: { readonly type: string; readonly json_schema?: { name: string; schema: unknown; strict?: boolean } };
}

/** A scripted answer: the assistant's text, or a raw HTTP reply (e.g. an error) the double sends as is. */
export type ChatReply = string | { readonly status: number; readonly body: unknown };
export type ChatHandler = (request: ChatRequest) => ChatReply | Promise<ChatReply>;

export interface OpenAiServer {
  /** Base URL to pass as `baseURL`, ending in `/v1`. */
  readonly url: string;
  readonly apiKey: string;
  readonly requests: readonly RecordedRequest[];
  /** Delay before every answer, in ms (for timeout tests). */
  delayMs: number;
  /** When set, every embedding has this length whatever was asked (to provoke a DimensionError). */
  vectorLength: number | undefined;
  /** Answer 400 to response_format json_schema (starts as the option; reset restores it). */
  rejectJsonSchema: boolean;
  /** The most chat requests in progress at once since reset (for concurrency tests). */
  readonly maxInFlight: number;
  /** Requests that reached the double since reset, counted on arrival (before any delay): abort tests wait on it. */
  readonly received: number;
  /** Scripts chat answers until reset; the default echoes the last user message. */
  onChat(handler: ChatHandler): void;
  /** The next `count` requests fail with `status` (429 carries `retry-after`). */
  failNext(count: number, status: number, options?: { retryAfterSeconds?: number; message?: string }): void;
  /** Requests to one path, e.g. '/v1/embeddings'. */
  requestsTo(path: string): RecordedRequest[];
  /** Clears the log, the failure queue, delay and overrides. */
  reset(): void;
  close(): Promise<void>;
}

const knownDimensions: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

export const defaultChatAnswer: ChatHandler = ({ messages }) => {
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  return `Echo: ${lastUser?.content ?? ''}`;
};

export async function startOpenAiServer(options: OpenAiServerOptions = {}): Promise<OpenAiServer> {
  const apiKey = options.apiKey ?? 'test-key';
  const defaultDimensions = options.defaultDimensions ?? 1536;
  const requests: RecordedRequest[] = [];
  const failures: { status: number; retryAfterSeconds: number | undefined; message: string | undefined }[] = [];
  const embedders = new Map<number, Embedder>();
  let chatHandler: ChatHandler = defaultChatAnswer;
  let inFlight = 0;
  let maxInFlight = 0;
  let generation = 0;
  let received = 0;
  /** Requests held by delayMs: reset lets them go, so a held request never outlives its test. */
  const held = new Set<() => void>();

  const embedderFor = (dimensions: number): Embedder => {
    let embedder = embedders.get(dimensions);
    if (!embedder) {
      embedder = createHashingEmbedder({ dimensions, wordNgrams: [1, 2], charNgrams: [3, 4, 5], lowercase: true });
      embedders.set(dimensions, embedder);
    }
    return embedder;
  };

  const state: OpenAiServer = {
    url: '',
    apiKey,
    requests,
    delayMs: 0,
    vectorLength: undefined,
    rejectJsonSchema: options.rejectJsonSchema ?? false,
    get maxInFlight() {
      return maxInFlight;
    },
    get received() {
      return received;
    },
    onChat(handler) {
      chatHandler = handler;
    },
    failNext(count, status, { retryAfterSeconds, message } = {}) {
      for (let i = 0; i < count; i++) failures.push({ status, retryAfterSeconds, message });
    },
    requestsTo(path) {
      return requests.filter((r) => r.path === path);
    },
    reset() {
      requests.length = 0;
      failures.length = 0;
      state.delayMs = 0;
      state.vectorLength = undefined;
      state.rejectJsonSchema = options.rejectJsonSchema ?? false;
      chatHandler = defaultChatAnswer;
      maxInFlight = 0;
      received = 0;
      generation++;
      for (const release of held) release();
      held.clear();
    },
    close: async () => {},
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A request still in flight when a test resets belongs to that test: it must not enter the next log. Taken
    // before the body is read, since a slow (or aborted) upload can finish after the reset.
    const born = generation;
    received++;
    const requestUrl = new URL(req.url ?? '/', 'http://localhost');
    const path = requestUrl.pathname;
    const query = Object.fromEntries(requestUrl.searchParams);
    const method = req.method ?? 'GET';
    const body = method === 'POST' ? await readJson(req) : undefined;
    const log = (status: number, extra: Partial<RecordedRequest> = {}) =>
      born === generation && requests.push({ method, path, query, status, inputs: [], ...extra });
    if (state.delayMs > 0) {
      await new Promise<void>((resolve) => {
        const release = () => (clearTimeout(timer), held.delete(release), resolve());
        const timer = setTimeout(release, state.delayMs);
        held.add(release);
      });
    }

    const basic = options.basicAuth === undefined ? undefined : `Basic ${Buffer.from(options.basicAuth).toString('base64')}`;
    if (req.headers.authorization !== `Bearer ${apiKey}` && (basic === undefined || req.headers.authorization !== basic)) {
      log(401);
      // Like OpenAI, the message quotes the key it got: the client side must not repeat it.
      const got = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      return sendError(res, 401, `Incorrect API key provided: ${got}`, 'invalid_api_key');
    }
    const failure = failures.shift();
    if (failure) {
      log(failure.status);
      const headers: Record<string, string> =
        failure.status === 429 ? { 'retry-after': String(failure.retryAfterSeconds ?? 0) } : {};
      return sendError(res, failure.status, failure.message ?? `injected failure ${failure.status}`, undefined, headers);
    }
    if (body === null) {
      log(400);
      return sendError(res, 400, 'request body is not valid JSON');
    }

    if (method === 'POST' && path === '/v1/embeddings') return embeddings(body as Record<string, unknown>, res, log);
    if (method === 'POST' && path === '/v1/chat/completions') return chat(body as Record<string, unknown>, res, log);
    if (method === 'GET' && path === '/v1/models') {
      log(200);
      const ids = [...Object.keys(knownDimensions), 'ragbench-double-chat'];
      return sendJson(res, 200, { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'ragbench-double' })) });
    }
    log(404);
    return sendError(res, 404, `no route ${method} ${path}`);
  }

  type Log = (status: number, extra?: Partial<RecordedRequest>) => void;
  async function embeddings(body: Record<string, unknown>, res: ServerResponse, log: Log) {
    const model = String(body.model ?? '');
    const input = typeof body.input === 'string' ? [body.input] : body.input;
    const encodingFormat = typeof body.encoding_format === 'string' ? body.encoding_format : 'float';
    const dimensions = typeof body.dimensions === 'number' ? body.dimensions : undefined;
    if (!Array.isArray(input) || input.length === 0 || input.length > 2048 || !input.every((t) => typeof t === 'string' && t !== '')) {
      log(400, { model });
      return sendError(res, 400, "'input' must be a non-empty string or an array of 1 to 2048 non-empty strings");
    }
    const texts = input as string[];
    log(200, { model, inputs: texts, ...(dimensions === undefined ? {} : { dimensions }), encodingFormat });
    const length = state.vectorLength ?? dimensions ?? knownDimensions[model] ?? defaultDimensions;
    const vectors = await embedderFor(length).embed(texts, 'document');
    const tokens = texts.reduce((sum, t) => sum + countTokens(t), 0);
    return sendJson(res, 200, {
      object: 'list',
      model,
      data: vectors.map((vector, index) => ({
        object: 'embedding',
        index,
        embedding:
          encodingFormat === 'base64' ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64') : Array.from(vector),
      })),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  async function chat(body: Record<string, unknown>, res: ServerResponse, log: Log) {
    const model = String(body.model ?? '');
    const messages = Array.isArray(body.messages) ? (body.messages as ChatMessageBody[]) : [];
    if (messages.length === 0) {
      log(400, { model });
      return sendError(res, 400, "'messages' must be a non-empty array");
    }
    const request = readChatRequest(body, model, messages);
    const logged = { model, inputs: messages.map((m) => String(m.content)), chat: request };
    if (state.rejectJsonSchema && request.responseFormat?.type === 'json_schema') {
      log(400, logged);
      // Servers word this differently; all name the parameter, which is what clients can go by.
      return sendError(res, 400, "response_format of type 'json_schema' is not supported by this server");
    }
    const reply = await chatHandler(request);
    if (typeof reply !== 'string') {
      log(reply.status, logged);
      return sendJson(res, reply.status, reply.body);
    }
    log(200, logged);
    // maxTokens is honoured word by word, with finish_reason 'length' as the API reports a cut-off answer.
    const limit = request.maxTokens;
    const cut = limit !== undefined && countTokens(reply) > limit;
    const content = cut ? reply.split(/\s+/).filter(Boolean).slice(0, limit).join(' ') : reply;
    const promptTokens = messages.reduce((sum, m) => sum + countTokens(String(m.content)), 0);
    const completionTokens = countTokens(content);
    return sendJson(res, 200, {
      id: `chatcmpl-double-${requests.length}`,
      object: 'chat.completion',
      created: 0,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: cut ? 'length' : 'stop', logprobs: null }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    });
  }

  const server = createServer((req, res) => {
    const isChat = req.url?.startsWith('/v1/chat/completions') ?? false;
    if (isChat) {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      // Out of flight when the answer starts to go out (before the client can see it, so before it can send
      // its next request: no overlap is counted that the client never had, however loaded the machine is), or
      // on close for a request the client gave up on.
      let settled = false;
      const settle = () => {
        if (!settled) inFlight--;
        settled = true;
      };
      const end = res.end.bind(res);
      res.end = ((...args: Parameters<typeof res.end>) => {
        settle();
        return end(...args);
      }) as typeof res.end;
      res.once('close', settle);
    }
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, `double failed: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // fetch keeps connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
      }),
  });
}

function readChatRequest(body: Record<string, unknown>, model: string, messages: readonly ChatMessageBody[]): ChatRequest {
  const field = body.max_completion_tokens !== undefined ? 'max_completion_tokens' : body.max_tokens !== undefined ? 'max_tokens' : undefined;
  const fields = { temperature: body.temperature, seed: body.seed, responseFormat: body.response_format };
  const sent = { ...fields, ...(field ? { maxTokens: body[field], maxTokensField: field } : {}) };
  const defined = Object.fromEntries(Object.entries(sent).filter(([, v]) => v !== undefined && v !== null));
  return { model, messages: messages.map(({ role, content }) => ({ role: String(role), content: String(content) })), ...defined };
}

/** Whitespace-separated words: a stand-in for tokens, enough for usage fields. */
function countTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

function sendError(res: ServerResponse, status: number, message: string, code?: string, headers: Record<string, string> = {}): void {
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  sendJson(res, status, { error: { message, type, param: null, code: code ?? null } }, headers);
}
