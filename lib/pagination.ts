import { z } from 'zod';
import { ValidationError } from './errors.js';

/**
 * Keyset pagination: lists are ordered by one field plus the id, and the cursor is the last row's
 * (field, id), so a page stays correct while rows are added and costs one index range scan however deep.
 */
export function pageQuery<const F extends string>(fields: readonly [F, ...F[]], defaultSort: F | `-${F}`) {
  const sorts = fields.flatMap((f) => [f, `-${f}`]) as [string, ...string[]];
  return z.object({
    limit: z.coerce.number().int().min(1).max(200).default(50).meta({ description: 'Items per page, 1 to 200.' }),
    cursor: z.string().max(500).optional().meta({ description: 'The nextCursor of the previous page.' }),
    sort: z.enum(sorts).default(defaultSort).meta({ description: 'Field to order by; a leading - orders descending.' }),
  });
}

type CursorValue = string | number;
interface Decoded {
  value: CursorValue | Date;
  id: string;
}

const bad = () =>
  new ValidationError('The cursor is invalid; pass the nextCursor of a page with the same sort', [
    { path: 'cursor', message: 'is not a cursor of this list and sort' },
  ]);

function decode(cursor: string, sort: string): Decoded {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const shape = z.tuple([z.literal(sort), z.enum(['d', 's', 'n']), z.union([z.string(), z.number()]), z.string().min(1)]).safeParse(parsed);
  if (!shape.success) throw bad();
  const [, kind, raw, id] = shape.data;
  if (typeof raw === 'string' && raw.includes('\u0000')) throw bad();
  if (kind === 'd') {
    const d = new Date(String(raw));
    if (Number.isNaN(d.getTime())) throw bad();
    return { value: d, id };
  }
  if ((kind === 'n') !== (typeof raw === 'number')) throw bad();
  return { value: raw, id };
}

function encode(sort: string, value: unknown, id: string): string {
  const [kind, raw] = value instanceof Date ? ['d', value.toISOString()] : typeof value === 'number' ? ['n', value] : ['s', String(value)];
  return Buffer.from(JSON.stringify([sort, kind, raw, id])).toString('base64url');
}

export interface PageArgs {
  sort: string;
  cursor?: string | undefined;
  limit: number;
}

const uuidId = (id: string) => (z.uuid().safeParse(id).success ? id : undefined);
/** Ids of bigint keys (the event log) travel in cursors as decimal strings. */
export const bigintId = (id: string) => (/^\d{1,19}$/.test(id) ? BigInt(id) : undefined);

/**
 * The Prisma orderBy/where/take of one page. `parseId` turns the cursor's id back into the key's
 * type, or undefined when it is not one, so a forged cursor is a 400 rather than a database error.
 */
export function keyset(args: PageArgs, parseId: (id: string) => unknown = uuidId) {
  const desc = args.sort.startsWith('-');
  const field = desc ? args.sort.slice(1) : args.sort;
  const dir = desc ? ('desc' as const) : ('asc' as const);
  const op = desc ? 'lt' : 'gt';
  let where: Record<string, unknown> = {};
  if (args.cursor) {
    const c = decode(args.cursor, args.sort);
    const id = parseId(c.id);
    if (id === undefined) throw bad();
    where = { OR: [{ [field]: { [op]: c.value } }, { [field]: c.value, id: { [op]: id } }] };
  }
  return { field, where, orderBy: [{ [field]: dir }, { id: dir }], take: args.limit + 1 };
}

/** One page of rows fetched with keyset(): the items and the cursor of the next page, null at the end. */
export function page<R extends { id: unknown }, T>(rows: R[], args: PageArgs, field: string, toJson: (r: R) => T) {
  const more = rows.length > args.limit;
  const items = more ? rows.slice(0, args.limit) : rows;
  const last = items.at(-1) as (R & Record<string, unknown>) | undefined;
  return {
    items: items.map(toJson),
    nextCursor: more && last ? encode(args.sort, last[field], String(last.id)) : null,
  };
}

export const pageSchema = (item: z.ZodType) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().meta({ description: 'Cursor of the next page; null on the last.' }) });
