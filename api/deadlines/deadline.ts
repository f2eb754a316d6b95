import type { DeadlineStatus } from '../../workflows/deadlines/messages.js';

export const extensionJson = (e: {
  fromDueAt: Date;
  toDueAt: Date;
  reason: string;
  actor: string | null;
  actorId: string | null;
  actorName: string | null;
  onBehalfOfName: string | null;
}) => ({
  from: e.fromDueAt.toISOString(),
  to: e.toDueAt.toISOString(),
  by: e.actor && { kind: e.actor, id: e.actorId, name: e.actorName, onBehalfOf: e.onBehalfOfName },
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
