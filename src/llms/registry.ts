import type { ChatModelDefinition } from './chat-model.js';
import { openai } from './openai.js';

/** Chat model kinds: the key is the `kind:` users write and the file name in this folder. */
export const chatModels = { openai } as const satisfies Record<string, ChatModelDefinition>;
