import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  builtinPromptsDir,
  loadPromptTemplate,
  parsePromptTemplate,
  renderAnswerMessages,
  renderTemplate,
  resolvePromptFile,
} from '../../../src/answers/prompt-template.js';
import { ConfigError } from '../../../src/shared/errors.js';

const source = `version: 1
system: Answer from the passages.
context: "[{{index}}] ({{docId}}) {{text}}"
user: |
  Context:
  {{context}}

  Question: {{question}}
decision: Reply with JSON.
closedBook:
  user: "Q: {{question}}"
`;

const passages = [
  { id: 'd1#0-5', docId: 'd1', text: 'Alpha' },
  { id: 'd2#0-4', docId: 'd2', text: 'Beta' },
];

function configError(text: string): ConfigError {
  try {
    parsePromptTemplate(text, 'prompts/bad.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('prompt templates', () => {
  it('renders system, numbered passages and the question', () => {
    const template = parsePromptTemplate(source, 'prompts/t.yaml');
    expect(renderAnswerMessages(template, { question: 'Why?', contexts: passages })).toEqual([
      { role: 'system', content: 'Answer from the passages.' },
      { role: 'user', content: 'Context:\n[1] (d1) Alpha\n\n[2] (d2) Beta\n\nQuestion: Why?' },
    ]);
  });

  it('adds the decision instruction and switches to closed-book without passages', () => {
    const template = parsePromptTemplate(source, 'prompts/t.yaml');
    expect(renderAnswerMessages(template, { question: 'Why?', contexts: [], decision: true })).toEqual([
      { role: 'system', content: 'Answer from the passages.' },
      { role: 'user', content: 'Q: Why?\n\nReply with JSON.' },
    ]);
  });

  it('renders in one pass: placeholders inside data stay literal', () => {
    const template = parsePromptTemplate(source, 'prompts/t.yaml');
    const [, user] = renderAnswerMessages(template, {
      question: 'What is {{context}}?',
      contexts: [{ id: 'x', docId: 'x', text: 'Says {{question}} and {{ text }}' }],
    });
    expect(user!.content).toBe('Context:\n[1] (x) Says {{question}} and {{ text }}\n\nQuestion: What is {{context}}?');
    expect(renderTemplate('{{a}}{{b}}', { a: '{{b}}', b: 'B' })).toBe('{{b}}B');
  });

  it('names file, line and valid placeholders for an unknown placeholder', () => {
    const error = configError(source.replace('Question: {{question}}', 'Question: {{questoin}} {{question}}'));
    expect(error.message).toBe('prompts/bad.yaml:4:7 user: unknown placeholder {{questoin}}');
    expect(error.fix).toContain('{{context}}, {{question}}');
    expect(configError(source.replace('Answer from the passages.', 'Hi {{question}}')).message).toMatch(/^prompts\/bad\.yaml:2:9 system: unknown placeholder/);
  });

  it('rejects unknown fields, a missing version and a user message without the question', () => {
    expect(configError(`${source}temperature: 0\n`).message).toMatch(/^prompts\/bad\.yaml:12:1 temperature: unknown key$/);
    expect(configError(source.replace('version: 1\n', '')).message).toMatch(/version/);
    expect(configError(source.replace('Question: {{question}}', 'Question?')).message).toMatch(/never shows the question/);
  });

  it('ships qa-v1 and qa-concise-v1, both with a closed-book variant', async () => {
    for (const name of ['qa-v1', 'qa-concise-v1']) {
      const template = await loadPromptTemplate(await resolvePromptFile(name));
      expect(template.closedBook).toBeDefined();
      expect(template.decision).toBeDefined();
      expect(template.file).toBe(join(builtinPromptsDir, `${name}.yaml`));
    }
  });

  it('resolves names beside the eval folder first, paths relative to it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ragbench-prompts-'));
    await mkdir(join(root, 'evals'));
    await mkdir(join(root, 'prompts'));
    await writeFile(join(root, 'prompts', 'mine.yaml'), source);
    const evals = join(root, 'evals');
    expect(await resolvePromptFile('mine', evals)).toBe(join(root, 'prompts', 'mine.yaml'));
    expect(await resolvePromptFile('qa-v1', evals)).toBe(join(builtinPromptsDir, 'qa-v1.yaml'));
    expect(await resolvePromptFile('../prompts/mine.yaml', evals)).toBe(join(root, 'prompts', 'mine.yaml'));
    await expect(loadPromptTemplate(join(root, 'missing.yaml'))).rejects.toBeInstanceOf(ConfigError);
  });
});
