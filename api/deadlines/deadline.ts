import type { DeadlineStatus } from '../../workflows/deadlines/messages.js';

export const extensionJson = (e: { fromDueAt: Date; toDueAt: Date; reason: string }) => ({
  from: e.fromDueAt.toISOString(),
  to: e.toDueAt.toISOString(),
  reason: e.reason,
});

export function liveDeadlineJson(live: DeadlineStatus<string> | null) {
  return (
    live && {
      status: live.status,
      nextNotice: live.nextStage && { ...live.nextStage, at: new Date(live.nextStage.at).toISOString() },
    }
  );
}
