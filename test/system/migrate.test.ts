import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, MigrationError, migrate } from '../../lib/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const require = createRequire(import.meta.url);

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'enum' | 'object';
  type: string;
  isList: boolean;
  isRequired: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: { name: string; dbName: string | null; values: { name: string; dbName: string | null }[] }[];
    indexes: { model: string; type: 'id' | 'unique' | 'normal' | 'fulltext'; fields: { name: string }[] }[];
  };
}

async function readDmmf(): Promise<Dmmf> {
  const wasm = require('@prisma/prisma-schema-wasm') as { get_dmmf(params: string): string };
  const prismaSchema = await readFile(path.resolve(import.meta.dirname, '../../prisma/schema.prisma'), 'utf8');
  return JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema })));
}

const tableOf = (m: DmmfModel) => m.dbName ?? m.name;
const columnOf = (f: DmmfField) => f.dbName ?? f.name;

function expectedType(f: DmmfField, enums: Dmmf['datamodel']['enums']): string {
  if (f.kind === 'enum') {
    const e = enums.find((x) => x.name === f.type);
    return f.isList ? `ARRAY:_${e?.dbName ?? f.type}` : `USER-DEFINED:${e?.dbName ?? f.type}`;
  }
  const native = f.nativeType?.[0];
  const base: Record<string, string> = {
    String: native === 'Uuid' ? 'uuid' : 'text',
    Int: 'integer',
    BigInt: 'bigint',
    Boolean: 'boolean',
    Float: 'double precision',
    Json: 'jsonb',
    Bytes: 'bytea',
    DateTime: native === 'Timestamptz' ? 'timestamp with time zone' : 'timestamp without time zone',
  };
  const t = base[f.type];
  if (!t) throw new Error(`the test does not know how Prisma maps ${f.type}`);
  return f.isList ? `ARRAY:${t}` : t;
}

describe('migrations', () => {
  let database: TestDatabase | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await database?.drop();
    database = undefined;
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query<T>(sql)).rows;
    } finally {
      await c.end();
    }
  }

  it('applies every migration once and records it as prisma migrate deploy does', async () => {
    database = await createTestDatabase({ migrated: false });
    const first = await migrate(database.url);
    const second = await migrate(database.url);
    const names = first.applied;
    expect(names.length).toBeGreaterThan(0);
    expect(second).toEqual({ applied: [], alreadyApplied: names.length });

    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      database.url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    for (const r of rows) {
      const sql = await readFile(path.join(MIGRATIONS_DIR, r.migration_name, 'migration.sql'));
      expect(r.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.applied_steps_count).toBe(1);
    }
  });

  it('leaves a database that matches schema.prisma: tables, columns, types, nullability, defaults, enums, indexes, foreign keys', async () => {
    database = await createTestDatabase({ migrated: false });
    await migrate(database.url);
    const { datamodel } = await readDmmf();

    const columns = await query<{
      table_name: string;
      column_name: string;
      data_type: string;
      udt_name: string;
      is_nullable: string;
      column_default: string | null;
      datetime_precision: number | null;
    }>(
      database.url,
      `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, datetime_precision
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    const actualColumns = new Map(columns.map((c) => [`${c.table_name}.${c.column_name}`, c]));
    const expectedColumns = new Set<string>();
    for (const model of datamodel.models) {
      for (const f of model.fields.filter((x) => x.kind !== 'object')) {
        const key = `${tableOf(model)}.${columnOf(f)}`;
        expectedColumns.add(key);
        const col = actualColumns.get(key);
        expect(col, `column ${key}`).toBeDefined();
        if (!col) continue;
        const actualType =
          col.data_type === 'USER-DEFINED'
            ? `USER-DEFINED:${col.udt_name}`
            : col.data_type === 'ARRAY'
              ? `ARRAY:${{ _text: 'text', _int4: 'integer', _uuid: 'uuid' }[col.udt_name] ?? col.udt_name}`
              : col.data_type;
        expect(actualType, `type of ${key}`).toBe(expectedType(f, datamodel.enums));
        // Prisma leaves scalar-list columns nullable whatever the schema says.
        if (!f.isList) expect(col.is_nullable, `nullability of ${key}`).toBe(f.isRequired ? 'NO' : 'YES');
        if (f.type === 'DateTime') expect(col.datetime_precision, `precision of ${key}`).toBe(Number(f.nativeType?.[1][0] ?? 3));
        const clientSideDefault =
          typeof f.default === 'object' && f.default !== null && ['uuid', 'cuid'].includes((f.default as { name: string }).name);
        expect(col.column_default !== null, `default of ${key}`).toBe(f.hasDefaultValue && !clientSideDefault);
      }
    }
    expect([...actualColumns.keys()].sort()).toEqual([...expectedColumns].sort());

    const enumRows = await query<{ name: string; values: string[] }>(
      database.url,
      `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS values
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
    );
    expect(Object.fromEntries(enumRows.map((e) => [e.name, e.values]))).toEqual(
      Object.fromEntries(datamodel.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)])),
    );

    const indexRows = await query<{ tbl: string; kind: string; columns: string[] }>(
      database.url,
      `SELECT t.relname AS tbl,
              CASE WHEN i.indisprimary THEN 'id' WHEN i.indisunique THEN 'unique' ELSE 'normal' END AS kind,
              array_agg(a.attname::text ORDER BY k.ord)::text[] AS columns
         FROM pg_index i
         JOIN pg_class t ON t.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
        WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations' AND i.indpred IS NULL
        GROUP BY t.relname, i.indexrelid, i.indisprimary, i.indisunique`,
    );
    // A partial index cannot be said in schema.prisma: each is written in its migration, and listed here.
    const partial = await query<{ name: string }>(
      database.url,
      `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND i.indpred IS NOT NULL`,
    );
    expect(partial.map((r) => r.name).sort()).toEqual(['email_outbox_links_to_redact_idx']);
    const modelByName = new Map(datamodel.models.map((m) => [m.name, m]));
    const expectedIndexes = datamodel.indexes.map((ix) => {
      const model = modelByName.get(ix.model) as DmmfModel;
      const cols = ix.fields.map((f) => columnOf(model.fields.find((x) => x.name === f.name) as DmmfField));
      return `${tableOf(model)} ${ix.type} (${cols.join(', ')})`;
    });
    expect(indexRows.map((r) => `${r.tbl} ${r.kind} (${r.columns.join(', ')})`).sort()).toEqual(expectedIndexes.sort());

    const fkRows = await query<{ tbl: string; columns: string[]; ref: string; ref_columns: string[]; on_delete: string }>(
      database.url,
      `SELECT c.conrelid::regclass::text AS tbl, c.confrelid::regclass::text AS ref,
              (SELECT array_agg(attname::text ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(n, ord) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n)::text[] AS columns,
              (SELECT array_agg(attname::text ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(n, ord) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n)::text[] AS ref_columns,
              CASE c.confdeltype WHEN 'c' THEN 'Cascade' WHEN 'r' THEN 'Restrict' WHEN 'n' THEN 'SetNull' WHEN 'a' THEN 'NoAction' WHEN 'd' THEN 'SetDefault' END AS on_delete
         FROM pg_constraint c WHERE c.contype = 'f'`,
    );
    const expectedFks = datamodel.models.flatMap((model) =>
      model.fields
        .filter((f) => f.kind === 'object' && f.relationFromFields?.length)
        .map((f) => {
          const target = modelByName.get(f.type) as DmmfModel;
          const from = (f.relationFromFields ?? []).map((n) => columnOf(model.fields.find((x) => x.name === n) as DmmfField));
          const to = (f.relationToFields ?? []).map((n) => columnOf(target.fields.find((x) => x.name === n) as DmmfField));
          const onDelete = f.relationOnDelete ?? (f.isRequired ? 'Restrict' : 'SetNull');
          return `${tableOf(model)} (${from.join(', ')}) -> ${tableOf(target)} (${to.join(', ')}) on delete ${onDelete}`;
        }),
    );
    expect(
      fkRows
        .map(
          (r) =>
            `${r.tbl.replaceAll('"', '')} (${r.columns.join(', ')}) -> ${r.ref.replaceAll('"', '')} (${r.ref_columns.join(', ')}) on delete ${r.on_delete}`,
        )
        .sort(),
    ).toEqual(expectedFks.sort());
  });

  it('rolls a failing migration back and records nothing of it', async () => {
    database = await createTestDatabase({ migrated: false });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tandem-migrations-'));
    dirs.push(dir);
    await mkdir(path.join(dir, '001_ok'));
    await writeFile(path.join(dir, '001_ok', 'migration.sql'), 'CREATE TABLE a (id int);');
    await mkdir(path.join(dir, '002_broken'));
    await writeFile(path.join(dir, '002_broken', 'migration.sql'), 'CREATE TABLE b (id int); SELECT * FROM missing_table;');

    await expect(migrate(database.url, { dir })).rejects.toThrow(MigrationError);
    await expect(migrate(database.url, { dir })).rejects.toThrow(
      /002_broken failed and was rolled back: relation "missing_table" does not exist/,
    );
    const tables = await query<{ tablename: string }>(
      database.url,
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    );
    expect(tables.map((t) => t.tablename)).toEqual(['_prisma_migrations', 'a']);
    const recorded = await query<{ migration_name: string }>(database.url, 'SELECT migration_name FROM "_prisma_migrations"');
    expect(recorded.map((r) => r.migration_name)).toEqual(['001_ok']);
  });

  it('refuses to continue past a migration that prisma recorded as started but unfinished', async () => {
    database = await createTestDatabase({ migrated: false });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tandem-migrations-'));
    dirs.push(dir);
    await mkdir(path.join(dir, '001_ok'));
    await writeFile(path.join(dir, '001_ok', 'migration.sql'), 'CREATE TABLE a (id int);');
    await migrate(database.url, { dir });
    await query(database.url, `INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ('x', 'y', '002_half')`);
    await expect(migrate(database.url, { dir })).rejects.toThrow(/002_half started but did not finish/);
  });
});
