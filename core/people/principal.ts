import type { ApiKey, ApiRole } from '../../generated/prisma/client.js';
import type { Db } from '../../lib/db/client.js';
import type { Actor } from '../../workflows/actor.js';

/** An API key: an integration, confined to its cohort or organization by its role. */
export interface KeyPrincipal {
  kind: 'key';
  id: string;
  name: string;
  role: ApiRole;
  cohortId: string | null;
  organizationId: string | null;
}

/** A signed-in person, with where they stand outside partnerships (inside, their memberships say). */
export interface PersonPrincipal {
  kind: 'person';
  id: string;
  name: string;
  email: string;
  /** Runs the installation. */
  isAdmin: boolean;
  /** The organizations they are staff of, and whether as an admin of it. */
  staff: { organizationId: string; isAdmin: boolean }[];
  /** The cohorts they coordinate. */
  coordinates: string[];
  /**
   * How this browser acts as them: signed in, or through a link of one of their emails, which acts
   * on that one page only (core/people/task-links.ts).
   */
  via?: 'session' | 'task-link' | 'email';
}

/** Whoever makes a request: every right is decided for one of these (api/people/rights.ts). */
export type Principal = KeyPrincipal | PersonPrincipal;

export const keyPrincipal = (key: ApiKey): KeyPrincipal => ({
  kind: 'key',
  id: key.id,
  name: key.name,
  role: key.role,
  cohortId: key.cohortId,
  organizationId: key.organizationId,
});

export async function personPrincipal(db: Db, personId: string): Promise<PersonPrincipal | null> {
  const p = await db.person.findUnique({ where: { id: personId }, include: { staff: true, coordinates: true } });
  if (!p) return null;
  return {
    kind: 'person',
    id: p.id,
    name: p.name,
    email: p.email,
    isAdmin: p.isAdmin,
    staff: p.staff.map((s) => ({ organizationId: s.organizationId, isAdmin: s.isAdmin })),
    coordinates: p.coordinates.map((c) => c.cohortId),
  };
}

/** The actor an event records for a principal, and the person it acted for when that is someone else. */
export function actorOf(p: Principal, onBehalfOf?: { id: string; name: string } | null): Actor {
  const base: Actor = {
    kind: p.kind === 'key' ? 'api_key' : 'person',
    id: p.id,
    name: p.name,
    ...(p.kind === 'person' && p.via === 'email' && { via: 'email' as const }),
  };
  return onBehalfOf && onBehalfOf.id !== p.id ? { ...base, onBehalfOf } : base;
}
