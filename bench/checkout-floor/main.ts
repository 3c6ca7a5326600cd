/**
 * The checkout floor: what this machine can do at all for a guest checkout with our architecture.
 * One process per role, as the real system runs one per service (one Node thread would cap it at
 * one core), each doing the least any crash-safe implementation of its part must do (see
 * bench/README.md, "Floors"). This launcher forks the seven role processes (this folder's
 * `<role>.ts`), each with the same options, waits until each serves, prints the environment that
 * points `bench/run.ts --scenario checkout` at them, and stops them all on SIGINT or SIGTERM (or
 * when one of them ends).
 *
 *   npx tsx bench/checkout-floor/main.ts --base-port 50200 --database-url postgres://postgres@127.0.0.1:5432 \
 *     --prefix floorco --nats nats://127.0.0.1:4222 [--connections 10]
 *
 * Role r listens on 127.0.0.1:<base port + the last digit of r's default port> (product 3, order 4,
 * payment 5, cart 7, discount 8, shipping 9; notification has no server) and keeps its data in the
 * database `<prefix>_<role>` (created with its tables when missing); `--connections` is the pg pool
 * of each process. Events go to the JetStream stream `<prefix>_CHECKOUT_FLOOR` (subjects
 * `<prefix>.floor.>`), created when missing.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { siblingScript } from '../sibling-script.js';
import { addressOf, floorOptions, ROLES, type Role } from './shared.js';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

const args = process.argv.slice(2);
const options = floorOptions(args);
const children = new Map<Role, ChildProcess>();
let stopping = false;

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const running = [...children.values()];
  for (const child of running) child.kill('SIGTERM');
  const timer = setTimeout(() => running.forEach((child) => child.kill('SIGKILL')), STOP_TIMEOUT_MS);
  await Promise.all(running.map(exited));
  clearTimeout(timer);
  process.exit(exitCode);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stopAll(0));

const serving = ROLES.map(
  (role) =>
    new Promise<void>((resolve, reject) => {
      const { path, execArgv } = siblingScript(import.meta.url, role);
      const child = fork(path, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.set(role, child);
      child.on('message', (message: { ready?: string }) => {
        if (message.ready === role) resolve();
      });
      child.once('exit', (code, signal) => {
        const why = `checkout floor: ${role} ended (${signal ?? `code ${code}`})`;
        reject(new Error(why));
        if (!stopping) {
          console.error(`${why}; stopping the others`);
          void stopAll(1);
        }
      });
    }),
);

let timer: NodeJS.Timeout | undefined;
try {
  await Promise.race([
    Promise.all(serving),
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`not all roles served within ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
    }),
  ]);
} catch (error) {
  console.error(`checkout floor: ${(error as Error).message}`);
  await stopAll(1);
}
clearTimeout(timer);

console.error(
  `checkout floor: ${[...children].map(([role, child]) => `${role} ${child.pid}`).join(', ')} (pids); ` +
    'SIGINT or SIGTERM stops them all',
);
console.log(
  (['product', 'order', 'cart', 'shipping'] as const)
    .map((role) => `${role.toUpperCase()}_GRPC_ADDR=${addressOf(options, role)}`)
    .join(' '),
);
