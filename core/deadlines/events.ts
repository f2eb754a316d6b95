import type { Prisma } from '../../generated/prisma/client.js';

/**
 * The timeline event of a new deadline, the same whether it was made on its own or pledged at a
 * review (then it names the review). Its key makes it once-only.
 */
export function deadlineCreated(
  kind: 'commitment' | 'evidence',
  d: { id: string; dueAt: Date | string | number },
  reviewId?: string,
): { key: string; type: string; data: Prisma.InputJsonObject } {
  const dueAt = new Date(d.dueAt).toISOString();
  const from = reviewId ? { reviewId } : {};
  return kind === 'commitment'
    ? { key: `commitment:${d.id}:created`, type: 'commitment.created', data: { commitmentId: d.id, ...from, dueAt } }
    : { key: `evidence:${d.id}:created`, type: 'evidence.requested', data: { requestId: d.id, ...from, dueAt } };
}
