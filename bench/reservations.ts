/**
 * Many concurrent multi-line ReserveStock calls against the embedded mesh: how long the slowest
 * answer takes when most orders cannot be served, and whether the outcome is exact (every unit
 * reserved at most once, the refusals clean FAILED_PRECONDITION).
 *
 *   npx tsx bench/reservations.ts [--orders 1000] [--variants 20] [--stock 50] [--lines 3] [--repeat 1]
 *
 * What runs where: this process runs auth and product (PGlite, as `startTestMesh(..., { inProcess:
 * true })` starts them) and prepares each run; the calls are made by a client process it forks
 * (reservations-client.ts), over a real socket on 127.0.0.1, so the client's own work does not
 * share the service's thread, and the latencies are the ones that client measured.
 *
 * Each order asks for `lines` distinct variants (1–2 units each, from a seeded random sequence, so
 * every run asks the same) of `variants` variants holding `stock` units each: with the defaults
 * ~4,500 units are asked of 1,000, so most orders are refused. All orders are sent at once on one
 * channel. Ports: chosen at run time like the tests' (test/support/mesh.ts), so it can run beside a
 * `make run` or a test run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { status } from '@grpc/grpc-js';
import { CreateProductRequest } from '../gen/ecommerce/product/v1/product.js';
import { newId } from '../lib/ids.js';
import { seededRandom } from '../lib/seeded-random.js';
import { clientsFor } from '../test/support/clients.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh } from '../test/support/mesh.js';
import { internalToken } from '../test/support/tokens.js';
import { describeMachine, machineFacts } from './machine.js';
import type { FromRushClient, RushOutcome, ToRushClient } from './reservations-protocol.js';
import { appendResult, commandLine } from './results.js';
import { siblingScript } from './sibling-script.js';

function option(name: string, fallback: number, max: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`--${name} must be a whole number from 1 to ${max}`);
  }
  return value;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Sends one rush to the client process and waits for what it measured. */
function rushIn(
  client: ChildProcess,
  rush: ToRushClient,
): Promise<{ outcomes: RushOutcome[]; slowestMs: number; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the client process exited (${code})`));
    client.once('exit', onExit);
    client.once('message', (message: FromRushClient) => {
      client.off('exit', onExit);
      if (message.type === 'failed') reject(new Error(`client process: ${message.message}`));
      else resolve(message);
    });
    client.send(rush);
  });
}

const ms = (value: number) => (Number.isNaN(value) ? '–' : value.toFixed(0));

async function main(): Promise<void> {
  const orders = option('orders', 1000, 5000);
  const variantCount = option('variants', 20, 500);
  const stock = option('stock', 50, 100_000);
  const linesPerOrder = Math.min(option('lines', 3, 20), variantCount);
  const repeat = option('repeat', 1, 20);
  const facts = machineFacts();
  const command = commandLine('bench/reservations.ts');
  console.log(describeMachine(facts));
  console.log(`command: ${command}\n`);
  console.log(
    '| run | orders | reserved | refused | other errors | units reserved / on hand | ok p50 ms | ok max ms | refused p50 ms | refused p99 ms | refused max ms | slowest answer ms | service CPU ms | client CPU ms | exact |',
  );
  console.log('|--:|--:|--:|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|');

  const mesh = await startTestMesh(['auth', 'product'], { inProcess: true });
  const api = clientsFor((name) => mesh.address(name));
  let client: ChildProcess | undefined;
  try {
    const admin = {
      token: (await api.auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).accessToken,
    };
    const internal = { token: await internalToken(mesh, 'order') };
    const script = siblingScript(import.meta.url, 'reservations-client');
    client = fork(script.path, [], {
      execArgv: script.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    for (let run = 1; run <= repeat; run++) {
      const sku = `BENCH-RSV-${Date.now().toString(36).toUpperCase()}`;
      const { product } = await api.product.createProduct(
        CreateProductRequest.fromPartial({
          sku,
          name: 'Reservation bench',
          slug: sku.toLowerCase(),
          price: { currencyCode: 'EUR', amountMinor: 1000 },
          variants: Array.from({ length: variantCount }, (_, k) => ({
            sku: `${sku}-${k}`,
            name: `V${k}`,
            initialStock: stock,
          })),
        }),
        admin,
      );
      const variantIds = product!.variants.map((variant) => variant.id);
      const random = seededRandom(run);
      const book = Array.from({ length: orders }, () => {
        const picked = new Set<string>();
        while (picked.size < linesPerOrder) picked.add(variantIds[Math.floor(random() * variantIds.length)]!);
        return [...picked].map((variantId) => ({ variantId, quantity: 1 + Math.floor(random() * 2) }));
      });

      const serviceCpuBefore = process.cpuUsage();
      const {
        outcomes,
        slowestMs: slowest,
        cpuMs: clientCpuMs,
      } = await rushIn(client, {
        type: 'rush',
        target: mesh.address('product'),
        token: internal.token,
        orders: book.map((lines) => ({ orderId: newId(), lines })),
      });
      const serviceCpu = process.cpuUsage(serviceCpuBefore);
      const serviceCpuMs = (serviceCpu.user + serviceCpu.system) / 1000;
      const okMs: number[] = [];
      const refusedMs: number[] = [];
      const otherErrors = new Map<string, number>();
      const reservedUnits = new Map<string, number>();
      outcomes.forEach(({ ms: took, code }, index) => {
        if (code === status.OK) {
          okMs.push(took);
          for (const line of book[index]!)
            reservedUnits.set(line.variantId, (reservedUnits.get(line.variantId) ?? 0) + line.quantity);
        } else if (code === status.FAILED_PRECONDITION) refusedMs.push(took);
        else {
          const name = status[code] ?? String(code);
          otherErrors.set(name, (otherErrors.get(name) ?? 0) + 1);
        }
      });

      let exact = otherErrors.size === 0;
      let reservedInDb = 0;
      for (const variantId of variantIds) {
        const { levels } = await api.product.getStock({ variantId }, internal);
        const reserved = levels.reduce((sum, level) => sum + level.reservedQuantity, 0);
        reservedInDb += reserved;
        if (reserved !== (reservedUnits.get(variantId) ?? 0) || reserved > stock) exact = false;
      }
      okMs.sort((a, b) => a - b);
      refusedMs.sort((a, b) => a - b);
      const row = {
        run,
        orders,
        reserved: okMs.length,
        refused: refusedMs.length,
        otherErrors: Object.fromEntries(otherErrors),
        unitsReserved: reservedInDb,
        unitsOnHand: variantCount * stock,
        okP50Ms: percentile(okMs, 50),
        okMaxMs: okMs.at(-1) ?? NaN,
        refusedP50Ms: percentile(refusedMs, 50),
        refusedP99Ms: percentile(refusedMs, 99),
        refusedMaxMs: refusedMs.at(-1) ?? NaN,
        slowestMs: slowest,
        serviceCpuMs,
        clientCpuMs,
        exact,
      };
      const errors = [...otherErrors].map(([name, n]) => `${name} ${n}`).join(', ') || '0';
      console.log(
        `| ${run} | ${orders} | ${row.reserved} | ${row.refused} | ${errors} | ${reservedInDb} / ${row.unitsOnHand} | ${ms(row.okP50Ms)} | ${ms(row.okMaxMs)} | ${ms(row.refusedP50Ms)} | ${ms(row.refusedP99Ms)} | ${ms(row.refusedMaxMs)} | ${ms(slowest)} | ${ms(serviceCpuMs)} | ${ms(clientCpuMs)} | ${exact ? 'yes' : 'NO'} |`,
      );
      appendResult({
        bench: 'reservations',
        command,
        machine: facts,
        at: new Date().toISOString(),
        variants: variantCount,
        stock,
        linesPerOrder,
        client: 'own process',
        ...row,
      });
    }
  } finally {
    client?.disconnect();
    for (const client of Object.values(api)) client.close();
    await mesh.stop();
  }
}

await main();
