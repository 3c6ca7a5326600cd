/**
 * What one short transaction costs the Node process, layer by layer: MikroORM's forked
 * EntityManager (what every service uses), MikroORM's connection, knex under it, and the `pg`
 * driver alone. Each transaction is BEGIN, three one-row statements and COMMIT, run one after
 * another on one connection; the figure is the process's CPU time (user + system) per transaction.
 *
 *   npx tsx bench/orm-overhead.ts [--url postgres://postgres@127.0.0.1:5432/postgres] [--rounds 3] [--count 3000]
 */
import { parseArgs } from 'node:util';
import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    rounds: { type: 'string', default: '3' },
    count: { type: 'string', default: '3000' },
  },
});
const count = Number(values.count);

const orm = await MikroORM.init({
  driver: PostgreSqlDriver,
  clientUrl: values.url,
  entities: [],
  discovery: { warnWhenNoEntities: false },
  allowGlobalContext: false,
  pool: { min: 1, max: 1 },
});
const connection = orm.em.getConnection();
const client = new pg.Client({ connectionString: values.url });
await client.connect();

const layers: [string, () => Promise<unknown>][] = [
  [
    'MikroORM: em.fork().transactional, em.execute ×3',
    () =>
      orm.em.fork().transactional(async (em) => {
        await em.execute('SELECT ? AS a', [1]);
        await em.execute('SELECT ? AS b', [2]);
        await em.execute('SELECT ? AS c', [3]);
      }),
  ],
  [
    'MikroORM: connection.transactional, execute ×3',
    () =>
      connection.transactional(async (trx) => {
        await connection.execute('SELECT ? AS a', [1], 'all', trx);
        await connection.execute('SELECT ? AS b', [2], 'all', trx);
        await connection.execute('SELECT ? AS c', [3], 'all', trx);
      }),
  ],
  [
    'knex: transaction, raw ×3',
    () =>
      connection.getKnex().transaction(async (trx) => {
        await trx.raw('SELECT ? AS a', [1]);
        await trx.raw('SELECT ? AS b', [2]);
        await trx.raw('SELECT ? AS c', [3]);
      }),
  ],
  [
    'pg: BEGIN, query ×3, COMMIT',
    async () => {
      await client.query('BEGIN');
      await client.query('SELECT $1::int AS a', [1]);
      await client.query('SELECT $1::int AS b', [2]);
      await client.query('SELECT $1::int AS c', [3]);
      await client.query('COMMIT');
    },
  ],
];

console.log(
  `${count} transactions a layer a round, one after another; µs of this process's CPU per transaction\n`,
);
console.log(
  `| layer | ${Array.from({ length: Number(values.rounds) }, (_, i) => `round ${i + 1}`).join(' | ')} |`,
);
console.log(`|---|${'--:|'.repeat(Number(values.rounds))}`);
const results = new Map<string, number[]>(layers.map(([name]) => [name, []]));
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [name, transaction] of layers) {
    const before = process.cpuUsage();
    for (let i = 0; i < count; i++) await transaction();
    const used = process.cpuUsage(before);
    results.get(name)!.push(Math.round((used.user + used.system) / count));
  }
}
for (const [name, perRound] of results) console.log(`| ${name} | ${perRound.join(' | ')} |`);

await client.end();
await orm.close();
