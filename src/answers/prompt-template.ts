import { readFile } from 'node:fs/promises';
import { exists } from '../corpus/beir.js';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseYaml } from '../shared/files/yaml-file.js';
import type { ChatMessage } from '../llms/chat-model.js';
import { ConfigError } from '../shared/errors.js';
import { hashText } from '../shared/hash.js';
import type { ContextPassage } from './answerer.js';

/**
 * An answer prompt as data (`prompts/*.yaml`), so prompt variants are compared like chunkers. Placeholders are
 * `{{name}}` and nothing else: no expressions, no loops, no code, so a template can never run anything.
 */
const promptTemplateSchema = z.strictObject({
  /** Bumped whenever the wording changes: reports name `qa-v1@1`, and the fingerprint changes anyway. */
  version: z.int().positive(),
  description: z.string().optional(),
  system: z.string().min(1),
  /** One passage; placeholders: index (1-based), id, docId, text. */
  context: z.string().min(1).default('[{{index}}] {{text}}'),
  /** Between rendered passages. */
  contextSeparator: z.string().default('\n\n'),
  /** Placeholders: context (all rendered passages), question. */
  user: z.string().min(1),
  /** Appended to the user message (after a blank line) when the task asks a yes/no/maybe decision. */
  decision: z.string().min(1).optional(),
  /** The no-context variant (`ragbench decide`, closed-book arms); user placeholders: question. */
  closedBook: z
    .strictObject({
      /** Default: the main system prompt. */
      system: z.string().min(1).optional(),
      user: z.string().min(1),
    })
    .optional(),
});

type PromptTemplateConfig = z.output<typeof promptTemplateSchema>;

export interface PromptTemplate extends PromptTemplateConfig {
  readonly file: string;
  /** Hash of the parsed template: two files with the same wording fingerprint alike. */
  readonly fingerprint: string;
}

/** Which placeholders each field may use; anything else is a ConfigError at load time, not a silent blank. */
const allowed: ReadonlyArray<readonly [path: readonly string[], names: readonly string[]]> = [
  [['system'], []],
  [['context'], ['index', 'id', 'docId', 'text']],
  [['user'], ['context', 'question']],
  [['decision'], []],
  [['closedBook', 'system'], []],
  [['closedBook', 'user'], ['question']],
];

const placeholder = /\{\{\s*([A-Za-z_][\w]*)\s*\}\}/g;

/** The placeholder names used in `text`, in order of appearance. */
function placeholdersOf(text: string): string[] {
  return [...text.matchAll(placeholder)].map((m) => m[1]!);
}

/** Parses and checks a template; throws ConfigError at `file:line:col` for a bad field or an unknown placeholder. */
export function parsePromptTemplate(source: string, file: string): PromptTemplate {
  const loaded = parseYaml(source, file, promptTemplateSchema);
  const config = loaded.value;
  for (const [path, names] of allowed) {
    const text = path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], config);
    if (typeof text !== 'string') continue;
    const unknown = placeholdersOf(text).find((name) => !names.includes(name));
    if (unknown !== undefined) {
      throw new ConfigError(`${path.join('.')}: unknown placeholder {{${unknown}}}`, {
        place: loaded.placeOf(path),
        fix: names.length > 0 ? `${path.join('.')} may use ${names.map((n) => `{{${n}}}`).join(', ')}` : `${path.join('.')} takes no placeholders`,
      });
    }
  }
  if (!placeholdersOf(config.user).includes('question')) {
    throw new ConfigError('user: the template never shows the question ({{question}})', {
      place: loaded.placeOf(['user']),
      fix: 'add {{question}} to user',
    });
  }
  return { ...config, file, fingerprint: hashText(JSON.stringify(config), 16) };
}

export async function loadPromptTemplate(file: string): Promise<PromptTemplate> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError('prompt template not found', {
      place: { file },
      fix: 'name a file in prompts/ (e.g. prompt: qa-v1) or give a path relative to the eval file',
      cause: error,
    });
  }
  return parsePromptTemplate(source, file);
}

/** The repository's (and package's) `prompts/` folder: two levels above this file in src/ and in dist/. */
export const builtinPromptsDir = fileURLToPath(new URL('../../prompts', import.meta.url));

/**
 * `qa-v1` (a bare name) → `prompts/qa-v1.yaml` beside the eval's folder (`<baseDir>/../prompts/`, as
 * `corpus: cranfield` finds `corpora/cranfield.yaml`), else the built-in one shipped in this package's
 * `prompts/`. Anything with a slash or a .yaml/.yml ending is a path relative to `baseDir` (the eval file's folder).
 */
export async function resolvePromptFile(reference: string, baseDir: string = process.cwd()): Promise<string> {
  const isPath = /[\\/]/.test(reference) || /\.ya?ml$/i.test(reference);
  if (isPath) return isAbsolute(reference) ? reference : resolve(baseDir, reference);
  const sibling = resolve(baseDir, '..', 'prompts', `${reference}.yaml`);
  return (await exists(sibling)) ? sibling : join(builtinPromptsDir, `${reference}.yaml`);
}

/**
 * Replaces each `{{name}}` with `values[name]` in ONE pass: text inserted from a document or a question is never
 * scanned again, so a passage containing "{{question}}" stays literally that.
 */
export function renderTemplate(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(placeholder, (match, name: string) => (Object.hasOwn(values, name) ? values[name]! : match));
}

interface AnswerPrompt {
  readonly question: string;
  /** Empty: the closed-book variant when the template has one. */
  readonly contexts: readonly ContextPassage[];
  readonly decision?: boolean;
}

/** The chat messages for one question. Throws ConfigError when closed-book is asked of a template without it. */
export function renderAnswerMessages(template: PromptTemplate, prompt: AnswerPrompt): ChatMessage[] {
  const decision = prompt.decision && template.decision ? `\n\n${template.decision.trim()}` : '';
  if (prompt.contexts.length === 0 && template.closedBook) {
    return [
      { role: 'system', content: (template.closedBook.system ?? template.system).trim() },
      { role: 'user', content: renderTemplate(template.closedBook.user, { question: prompt.question }).trim() + decision },
    ];
  }
  const context = prompt.contexts
    .map((passage, i) =>
      renderTemplate(template.context, { index: String(i + 1), id: passage.id, docId: passage.docId, text: passage.text }),
    )
    .join(template.contextSeparator);
  return [
    { role: 'system', content: template.system.trim() },
    { role: 'user', content: renderTemplate(template.user, { context, question: prompt.question }).trim() + decision },
  ];
}
