import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ALL_SERVICES } from '../../services/registry.js';
import { DOCS_DIR, DocsProseError, generateDatabaseDocs, PROJECT_ROOT } from './generate.js';

// `make db-docs`: regenerates docs/database/*.md from the migrations and docs/database/src/.
try {
  const pages = await generateDatabaseDocs(ALL_SERVICES);
  const dir = join(PROJECT_ROOT, DOCS_DIR);
  // Pages of a database that no longer exists go too; the hand-written src/ stays.
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.md') && !pages.has(`${DOCS_DIR}/${file}`)) rmSync(join(dir, file));
  }
  for (const [path, content] of pages) {
    mkdirSync(dirname(join(PROJECT_ROOT, path)), { recursive: true });
    writeFileSync(join(PROJECT_ROOT, path), content);
  }
  console.log(`wrote ${pages.size} pages to ${DOCS_DIR}/`);
} catch (error) {
  if (error instanceof DocsProseError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
