import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { DatabaseSchema } from './catalog.js';

/**
 * The hand-written part of the database docs, kept apart from what is generated: one YAML file per
 * database (`docs/database/src/<db>.yaml`), the cross-service reference map and the overview text.
 */

export interface TableProse {
  purpose: string;
  writes: string;
  reads: string;
}

export interface DatabaseProse {
  service: string;
  summary: string;
  tables: Record<string, TableProse>;
}

export interface CrossServiceReference {
  /** `<db>.<table>.<column>` */
  column: string;
  /** `<db>.<table>` */
  to: string;
  checkedBy: string;
}

export interface DocsProse {
  overview: string;
  databases: Map<string, DatabaseProse>;
  references: CrossServiceReference[];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function readDatabaseProse(path: string): DatabaseProse {
  const raw = (parse(readFileSync(path, 'utf8')) ?? {}) as Record<string, unknown>;
  const tables: Record<string, TableProse> = {};
  for (const [name, value] of Object.entries((raw.tables ?? {}) as Record<string, Record<string, unknown>>)) {
    tables[name] = { purpose: text(value?.purpose), writes: text(value?.writes), reads: text(value?.reads) };
  }
  return { service: text(raw.service), summary: text(raw.summary), tables };
}

/** Reads the prose of the given databases from `<sourceDir>`; a missing file reads as empty prose. */
export function readProse(sourceDir: string, databases: string[]): DocsProse {
  const prose = new Map<string, DatabaseProse>();
  for (const name of databases) {
    const path = join(sourceDir, `${name}.yaml`);
    prose.set(name, existsSync(path) ? readDatabaseProse(path) : { service: '', summary: '', tables: {} });
  }
  const references = (
    (parse(readFileSync(join(sourceDir, 'cross-service-references.yaml'), 'utf8')) ?? []) as Record<
      string,
      unknown
    >[]
  ).map((entry) => ({
    column: text(entry.column),
    to: text(entry.to),
    checkedBy: text(entry.checkedBy),
  }));
  return {
    overview: readFileSync(join(sourceDir, 'overview.md'), 'utf8').trim(),
    databases: prose,
    references,
  };
}

/** What the prose of one database lacks or gets wrong against its real schema. */
export function proseProblems(schema: DatabaseSchema, prose: DatabaseProse, service: string): string[] {
  const file = `docs/database/src/${schema.name}.yaml`;
  const problems: string[] = [];
  if (prose.service !== service) problems.push(`${file}: service should be "${service}"`);
  if (!prose.summary) problems.push(`${file}: summary is missing`);
  const tables = new Set(schema.tables.map((t) => t.name));
  for (const table of tables) {
    const entry = prose.tables[table];
    if (!entry) {
      problems.push(`${file}: table ${table} has no prose (add purpose, writes and reads)`);
      continue;
    }
    for (const field of ['purpose', 'writes', 'reads'] as const) {
      if (!entry[field]) problems.push(`${file}: table ${table} has no ${field}`);
    }
  }
  for (const table of Object.keys(prose.tables)) {
    if (!tables.has(table))
      problems.push(`${file}: describes table ${table}, which the migrations do not create`);
  }
  return problems;
}

/** What the reference map gets wrong against the real schemas: unknown columns or tables, unindexed columns. */
export function referenceProblems(schemas: DatabaseSchema[], references: CrossServiceReference[]): string[] {
  const file = 'docs/database/src/cross-service-references.yaml';
  const byName = new Map(schemas.map((s) => [s.name, s]));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const reference of references) {
    const [db, table, column, ...rest] = reference.column.split('.');
    const [toDb, toTable, ...toRest] = reference.to.split('.');
    if (seen.has(reference.column)) problems.push(`${file}: ${reference.column} is listed twice`);
    seen.add(reference.column);
    if (!db || !table || !column || rest.length > 0) {
      problems.push(`${file}: column "${reference.column}" is not <db>.<table>.<column>`);
      continue;
    }
    if (!toDb || !toTable || toRest.length > 0) {
      problems.push(`${file}: ${reference.column}: to "${reference.to}" is not <db>.<table>`);
      continue;
    }
    if (!reference.checkedBy) problems.push(`${file}: ${reference.column}: checkedBy is missing`);
    if (toDb === db)
      problems.push(
        `${file}: ${reference.column}: a reference inside ${db} is a foreign key, not a cross-service one`,
      );
    const source = byName.get(db)?.tables.find((t) => t.name === table);
    if (!source) {
      problems.push(`${file}: ${reference.column}: no table ${db}.${table}`);
    } else if (!source.columns.some((c) => c.name === column)) {
      problems.push(`${file}: ${reference.column}: no column ${column} in ${db}.${table}`);
    } else if (!source.indexes.some((i) => i.leadingColumns[0] === column)) {
      problems.push(
        `${file}: ${reference.column}: no index starts with ${column} (every cross-service reference is indexed)`,
      );
    }
    if (!byName.get(toDb)?.tables.some((t) => t.name === toTable)) {
      problems.push(`${file}: ${reference.column}: refers to ${reference.to}, which does not exist`);
    }
  }
  return problems;
}
