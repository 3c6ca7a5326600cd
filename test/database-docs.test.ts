import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { DatabaseSchema, TableSchema } from '../scripts/db-docs/catalog.js';
import { DOCS_DIR, generateDatabaseDocs, PROJECT_ROOT } from '../scripts/db-docs/generate.js';
import { attributeName, entityName, label, nodeId } from '../scripts/db-docs/mermaid.js';
import { proseProblems, referenceProblems } from '../scripts/db-docs/prose.js';
import { ALL_SERVICES } from '../services/registry.js';

/*
 * docs/database is generated (`make db-docs`) from what the migrations build and the prose in
 * docs/database/src. This suite regenerates it in memory and fails when the committed pages differ,
 * when a table has no prose, or when a diagram line is not one the generator's safe builders make.
 */

/** The first line where two texts part, with a little context, for a readable failure. */
function firstDifference(actual: string, expected: string): string {
  const a = actual.split('\n');
  const e = expected.split('\n');
  const line = a.findIndex((text, i) => text !== e[i]);
  const at = line === -1 ? Math.min(a.length, e.length) : line;
  return [
    `first difference at line ${at + 1}:`,
    `  committed: ${JSON.stringify(a[at] ?? '<end of file>')}`,
    `  generated: ${JSON.stringify(e[at] ?? '<end of file>')}`,
  ].join('\n');
}

// Every line a generated diagram may contain (see scripts/db-docs/mermaid.ts).
const Q = '"[A-Za-z0-9_. -]+"';
const LABEL = '"[^"\\n\\\\%`<>#;]+"';
const ID = '[a-z][a-z0-9_]*';
const ER_LINES = [
  /^erDiagram$/,
  new RegExp(`^  ${Q} \\{$`),
  /^ {4}[A-Za-z_][A-Za-z0-9_[\]()-]* [A-Za-z_][A-Za-z0-9_]*( (PK|FK|UK)(, (PK|FK|UK))*)?$/,
  /^ {2}\}$/,
  new RegExp(`^  ${Q} (\\|\\||\\|o|\\}o)(--|\\.\\.)(\\|\\||o\\||o\\{) ${Q} : ${LABEL}$`),
];
const FLOW_LINES = [
  /^flowchart LR$/,
  new RegExp(`^  subgraph g_${ID}\\[${LABEL}\\]$`),
  new RegExp(`^    t_${ID}\\[${LABEL}\\]$`),
  new RegExp(`^  s_${ID}\\[${LABEL}\\]$`),
  /^ {2}end$/,
  new RegExp(`^  t_${ID} --> t_${ID}$`),
  new RegExp(`^  [ts]_${ID} -\\.->\\|${LABEL}\\| [ts]_${ID}$`),
];

function mermaidBlocks(page: string): string[][] {
  return [...page.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]!.split('\n'));
}

function fakeTable(name: string, columns: string[], indexed: string[] = []): TableSchema {
  return {
    schema: 'public',
    name,
    columns: columns.map((c) => ({ name: c, type: 'uuid', nullable: false })),
    constraints: [],
    foreignKeys: [],
    indexes: indexed.map((c) => ({
      name: `${name}_${c}_idx`,
      unique: false,
      definition: `btree (${c})`,
      leadingColumns: [c],
    })),
    partitions: [],
  };
}

describe('database docs (docs/database)', function () {
  // Ten databases migrated into scratch embedded databases and read back.
  this.timeout(240_000);

  let pages: Map<string, string>;
  before(async () => {
    pages = await generateDatabaseDocs(ALL_SERVICES);
  });

  it('has a page per database, the overview and the reference map, and nothing else', () => {
    const expected = [
      'README.md',
      'cross-service-references.md',
      ...ALL_SERVICES.map((m) => `${m.database.name}.md`),
    ].sort();
    expect([...pages.keys()].map((p) => p.replace(`${DOCS_DIR}/`, '')).sort()).to.deep.equal(expected);
    const committed = readdirSync(join(PROJECT_ROOT, DOCS_DIR))
      .filter((f) => f.endsWith('.md'))
      .sort();
    expect(committed, 'docs/database/*.md on disk (run `make db-docs`)').to.deep.equal(expected);
  });

  // The committed pages were generated in another process, from other scratch databases: equality
  // here also shows that generation is deterministic (sorted, no dates, no ids).
  it('agrees with what the migrations build (regenerate with `make db-docs`)', () => {
    for (const [path, content] of pages) {
      const file = join(PROJECT_ROOT, path);
      expect(existsSync(file), `${path} is missing: run \`make db-docs\``).to.equal(true);
      const committed = readFileSync(file, 'utf8');
      if (committed !== content) {
        expect.fail(
          `${path} is stale: run \`make db-docs\` and commit the result\n${firstDifference(committed, content)}`,
        );
      }
    }
  });

  it('shows every domain table of every database, 59 in all, each with its prose', () => {
    let total = 0;
    for (const module of ALL_SERVICES) {
      const page = pages.get(`${DOCS_DIR}/${module.database.name}.md`)!;
      const sections = [...page.matchAll(/^## ([a-z_]+)$/gm)].map((m) => m[1]);
      total += sections.length;
      for (const section of sections) {
        const body = page.split(`\n## ${section}\n`)[1]!;
        expect(body, `${module.database.name}.${section}`).to.match(/- \*\*Written by:\*\* \S/);
        expect(body, `${module.database.name}.${section}`).to.match(/- \*\*Read by:\*\* \S/);
      }
    }
    expect(total).to.equal(59);
  });

  it('draws only diagram lines that mermaid parses (quoted names, safe identifiers, no keywords)', () => {
    let blocks = 0;
    for (const [path, page] of pages) {
      for (const block of mermaidBlocks(page)) {
        blocks++;
        const grammar = block[0] === 'erDiagram' ? ER_LINES : FLOW_LINES;
        for (const line of block) {
          expect(
            grammar.some((pattern) => pattern.test(line)),
            `${path}: unexpected mermaid line ${JSON.stringify(line)}`,
          ).to.equal(true);
        }
      }
    }
    // A diagram per database, the master diagram and the reference map's.
    expect(blocks).to.equal(ALL_SERVICES.length + 2);
  });

  it('draws cross-service references dashed and foreign keys solid', () => {
    const cart = pages.get(`${DOCS_DIR}/cart_db.md`)!;
    expect(cart).to.include('"carts" ||--o{ "cart_items" : "cart_id"');
    expect(cart).to.include('"product_db.products" ||..o{ "cart_items" : "product_id"');
    const master = pages.get(`${DOCS_DIR}/README.md`)!;
    expect(master).to.include('t_cart_db_cart_items -.->|"product_id"| t_product_db_products');
    expect(master).to.include('t_cart_db_cart_items --> t_cart_db_carts');
  });

  it('refuses names that could break a diagram', () => {
    expect(() => entityName('users" ||--o{ "x')).to.throw(/entity name/);
    expect(() => entityName('100%')).to.throw(/entity name/);
    expect(() => attributeName('two words')).to.throw(/attribute name/);
    expect(() => label('a"b')).to.throw(/label/);
    expect(() => nodeId('end node')).to.throw(/node id/);
    expect(entityName('end')).to.equal('"end"');
  });
});

describe('database docs: prose and reference checks', () => {
  const schema: DatabaseSchema = {
    name: 'shop_db',
    tables: [fakeTable('orders', ['id', 'user_id'], ['user_id']), fakeTable('notes', ['id', 'author_id'])],
    infraTables: [],
  };
  const described = { purpose: 'p', writes: 'w', reads: 'r' };

  it('fails a table without prose, and prose of a table that does not exist', () => {
    const problems = proseProblems(
      schema,
      { service: 'shop', summary: 's', tables: { orders: described, ghosts: described } },
      'shop',
    );
    expect(problems).to.deep.equal([
      'docs/database/src/shop_db.yaml: table notes has no prose (add purpose, writes and reads)',
      'docs/database/src/shop_db.yaml: describes table ghosts, which the migrations do not create',
    ]);
  });

  it('fails a table whose prose leaves out who writes or reads it', () => {
    const problems = proseProblems(
      schema,
      { service: 'shop', summary: 's', tables: { orders: described, notes: { ...described, reads: '' } } },
      'shop',
    );
    expect(problems).to.deep.equal(['docs/database/src/shop_db.yaml: table notes has no reads']);
  });

  it('fails a reference to a missing column, an unindexed column or a missing table', () => {
    const users: DatabaseSchema = { name: 'auth_db', tables: [fakeTable('users', ['id'])], infraTables: [] };
    const ok = { column: 'shop_db.orders.user_id', to: 'auth_db.users', checkedBy: 'JWT' };
    expect(referenceProblems([schema, users], [ok])).to.deep.equal([]);
    const problems = referenceProblems(
      [schema, users],
      [
        { ...ok, column: 'shop_db.orders.buyer_id' },
        { ...ok, column: 'shop_db.notes.author_id' },
        { ...ok, to: 'auth_db.accounts' },
      ],
    );
    expect(problems).to.have.length(3);
    expect(problems[0]).to.include('no column buyer_id');
    expect(problems[1]).to.include('no index starts with author_id');
    expect(problems[2]).to.include('auth_db.accounts, which does not exist');
  });
});
