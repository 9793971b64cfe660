import { createHash } from 'node:crypto';
import type { ChatHandler, ChatRequest } from './openai-server.js';

/**
 * Chat "models" for the answer-matrix tests, served by the OpenAI double: each model answers a yes/no/maybe
 * question right with a probability that depends on the model, on whether the prompt carries context passages
 * (a user message with "[1] "), and on few-shot example turns (assistant messages before the question). The draw is
 * a hash of (model, question, and at temperature > 0 the seed and temperature): temperature 0 answers alike on
 * every call, temperature > 0 samples a new answer per seed, deterministic for a seed (so a rerun replays it).
 * A wrong answer is another label, so decision-accuracy measures exactly the drawn correctness.
 * Requests for an unknown model get the OpenAI 404 `model_not_found`, as the service does.
 */
export interface AnswerModelSkill {
  readonly closedBook: number;
  readonly withContext: number;
  /** Added to closed-book correctness when the prompt has example turns. */
  readonly fewShotGain?: number;
}

const labels = ['yes', 'no', 'maybe'] as const;

/** `gold`: question text → the correct label. */
export function answerModels(skills: Readonly<Record<string, AnswerModelSkill>>, gold: ReadonlyMap<string, string>): ChatHandler {
  return (request: ChatRequest) => {
    const skill = skills[request.model];
    if (!skill) return { status: 404, body: { error: { message: `The model '${request.model}' does not exist`, type: 'invalid_request_error', code: 'model_not_found' } } };
    const user = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const question = [...gold.keys()].find((q) => user.includes(q));
    if (question === undefined) return { status: 400, body: { error: { message: 'the double knows no gold label for this question', type: 'invalid_request_error' } } };
    const hasContext = /\[1\] /.test(user);
    const shots = request.messages.filter((m) => m.role === 'assistant').length;
    const p = hasContext ? skill.withContext : Math.min(1, skill.closedBook + (shots > 0 ? (skill.fewShotGain ?? 0) : 0));
    const sampled = (request.temperature ?? 1) > 0;
    const u = uniform(`${request.model}|${question}|${sampled ? `${request.seed ?? 'none'}|${request.temperature}` : 'greedy'}`);
    const right = gold.get(question)!;
    const wrong = labels.filter((l) => l !== right)[Math.floor(uniform(`wrong|${question}|${request.seed}`) * 2)]!;
    const decision = u < p ? right : wrong;
    return JSON.stringify({ answer: `The answer is ${decision}.`, decision });
  };
}

/** A uniform number in [0, 1) from the first 48 bits of sha256(text). */
function uniform(text: string): number {
  return Number.parseInt(createHash('sha256').update(text).digest('hex').slice(0, 12), 16) / 2 ** 48;
}
