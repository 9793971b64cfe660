import { withCompletionCache, completionCacheDir } from '../llms/cache.js';
import type { ChatModel } from '../llms/chat-model.js';
import { withLedger, type Ledger } from '../llms/ledger.js';
import { chatModels } from '../llms/registry.js';
import { pluginConfigSchema, type PluginConfig, type PluginContext } from '../shared/plugin.js';

/** `{ kind: openai, model: …, baseURL?, … }` as written in an answerer's `model:` or an eval's `judge:`. */
export const chatModelConfigSchema = pluginConfigSchema('chat model', chatModels);

/**
 * Builds a configured chat model for answering or judging: the kind's client, behind the completion cache
 * (`<workDir>/cache/completions`, so re-runs are free) and, outside it, the run's ledger (so cached calls are
 * counted as cached, not as free fresh ones).
 */
export async function createConfiguredChatModel(
  config: PluginConfig,
  context: PluginContext & { readonly ledger?: Ledger | undefined },
): Promise<ChatModel> {
  const definition = chatModels[config.kind as keyof typeof chatModels];
  const model = await definition.create(config.options as never, context);
  const cached = withCompletionCache(model, { dir: completionCacheDir(context.workDir) });
  return context.ledger ? withLedger(cached, context.ledger) : cached;
}
