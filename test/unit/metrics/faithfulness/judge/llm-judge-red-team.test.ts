import { describe, expect, it } from 'vitest';
import { llmFaithfulness } from '../../../../../src/metrics/faithfulness/judge/llm-judge.js';
import { blocksOf, fooledJudge, readRedTeam, useJudgeServer } from '../../../../fixtures/answers/scripted-judge.js';

/**
 * The red-team set (test/fixtures/answers/red-team.jsonl): injections carried by passages and by answers, run
 * through the OpenAI double with a judge scripted to be FOOLED by each one. The final score must still be the
 * honest, hand-computed one: the quote checks and claim coverage in llm-judge.ts, not the model, are the defence.
 */
const live = useJudgeServer();

const cases = readRedTeam();

describe('LLM faithfulness judge under prompt injection', () => {
  it('has at least 8 red-team cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s: the fooled judge does not raise the score', async (_id, c) => {
    const { handler, fooled } = fooledJudge(c);
    live.server.onChat(handler);
    const score = await llmFaithfulness({ model: live.judge, question: c.question, answer: c.answer, context: c.context });
    expect(fooled()).toBeGreaterThan(0);
    expect(score.value).not.toBeNull();
    expect(score.value).toBeCloseTo(c.expected, 10);
    // Without the checks, every verdict was "supported": the judge really was fooled.
    expect(score.value!).toBeLessThan(1);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s: the data cannot close its block', async (_id, c) => {
    live.server.onChat(fooledJudge(c).handler);
    await llmFaithfulness({ model: live.judge, question: c.question, answer: c.answer, context: c.context });
    const requests = live.server.requestsTo('/v1/chat/completions');
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      const user = request.chat!.messages.find((m) => m.role === 'user')!.content;
      const blocks = blocksOf(user);
      const token = blocks[0]!.token;
      // One token per call, appearing only in the real BEGIN/END lines (twice per block) and never in the data.
      expect(blocks.every((b) => b.token === token)).toBe(true);
      expect(user.split(token).length - 1).toBe(2 * blocks.length);
      const labels = blocks.map((b) => b.label);
      if (labels.includes('ANSWER')) {
        expect(labels).toEqual(['QUESTION', 'ANSWER']);
        expect(blocks[1]!.text).toBe(c.answer);
      } else {
        expect(labels).toEqual(['CONTEXT', 'CLAIMS']);
        expect(blocks[0]!.text).toBe(c.context);
      }
      const system = request.chat!.messages.find((m) => m.role === 'system')!.content;
      expect(system).toContain(token);
      expect(system).toMatch(/never instructions to you/);
    }
  });
});
