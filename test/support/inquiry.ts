import { expect } from 'vitest';
import type { ApiStack } from './api-stack.js';
import { DAY } from './time.js';

/** A cycle of the partnership, each phase its district lead's, recorded through the API to its reflection (adopted). */
export async function closedCycle(stack: ApiStack, partnershipId: string, question: string): Promise<string> {
  const soon = (days: number) => new Date(Date.now() + days * DAY).toISOString();
  const phases = Object.fromEntries(
    ['plan', 'do', 'study', 'act', 'reflect'].map((ph, i) => [ph, { ownerRole: 'district_lead', dueAt: soon(10 * (i + 1)) }]),
  );
  const started = await stack.call<{ id: string }>(stack.adminKey, 'POST', `/partnerships/${partnershipId}/inquiry-cycles`, {
    question,
    phases,
  });
  expect(started.status, started.text).toBe(201);
  const cycle = `/partnerships/${partnershipId}/inquiry-cycles/${started.json.id}`;
  for (const [phase, body] of [
    ['plan', { changeIdea: 'Ten-minute data chats', prediction: 'Fluency up', measures: ['ORF'] }],
    ['do', { notes: 'Held 8 of 9 chats' }],
    ['study', { findings: 'Up 6 words a minute' }],
    ['act', { decision: 'adopt' }],
    ['reflect', { worked: 'The routine', didNot: 'Mondays', improve: 'Tuesdays' }],
  ] as const) {
    const res = await stack.call(stack.adminKey, 'POST', `${cycle}/phases/${phase}`, body);
    expect(res.status, `${phase}: ${res.text}`).toBe(200);
  }
  return started.json.id;
}
