import { fileURLToPath } from 'node:url';
import type { ServiceModule } from '../../lib/runtime/service-module.js';
import { readMigratedSchemas } from './migrated-schemas.js';
import { proseProblems, readProse, referenceProblems } from './prose.js';
import { databasePage, overviewPage, referencesPage, type DocumentedDatabase } from './render.js';

/** The project root, from source (scripts/db-docs) or compiled output (dist/scripts/db-docs) alike. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/dist\/$/, '/');
export const DOCS_DIR = 'docs/database';
export const SOURCE_DIR = `${DOCS_DIR}/src`;

export class DocsProseError extends Error {
  constructor(readonly problems: string[]) {
    super(`the database docs' prose does not match the schema:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Builds every page of docs/database from what the migrations really create (each service's
 * database migrated into a scratch embedded database and read from pg_catalog) and the hand-written
 * prose in docs/database/src. Returns path (relative to the project root) → content; writes nothing.
 * Deterministic: same code, same pages (sorted, no dates).
 */
export async function generateDatabaseDocs(
  modules: ServiceModule[],
  root = PROJECT_ROOT,
): Promise<Map<string, string>> {
  const schemas = await readMigratedSchemas(modules);
  const prose = readProse(
    `${root}/${SOURCE_DIR}`,
    schemas.map((s) => s.database.name),
  );
  const databases: DocumentedDatabase[] = schemas.map((s) => ({
    service: s.service,
    schema: s.database,
    prose: prose.databases.get(s.database.name)!,
  }));
  const problems = [
    ...databases.flatMap((db) => proseProblems(db.schema, db.prose, db.service)),
    ...referenceProblems(
      databases.map((db) => db.schema),
      prose.references,
    ),
  ];
  if (problems.length > 0) throw new DocsProseError(problems);

  const pages = new Map<string, string>();
  pages.set(`${DOCS_DIR}/README.md`, overviewPage(databases, prose));
  pages.set(`${DOCS_DIR}/cross-service-references.md`, referencesPage(databases, prose.references));
  for (const db of databases)
    pages.set(`${DOCS_DIR}/${db.schema.name}.md`, databasePage(db, prose.references));
  return pages;
}
