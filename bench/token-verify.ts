/**
 * The cost of checking an access token inside a service, per call: what every authenticated RPC
 * pays before its handler runs. The verifier is the one services use (`JwksTokenVerifier`, keys
 * cached by kid, so no network call once loaded); measured three ways:
 *
 * - the first call with a token: the Ed25519 signature and the claims (jose `jwtVerify`);
 * - the same token again: the verifier remembers tokens it verified (until they expire, a minute
 *   at most), so a client's later calls cost a lookup;
 * - `authorize`: the whole per-call path of lib/grpc (parse `authorization`, verify, access rule),
 *   for one token and for 1000 customers' tokens in rotation.
 *
 *   npx tsx bench/token-verify.ts [--calls 20000] [--warmup 2000] [--repeat 3]
 *
 * Target: ≤ 0.1 ms per call. Single-threaded and sequential: the number is CPU time
 * per verification on one core.
 */
import { parseArgs } from 'node:util';
import { allow } from '../lib/auth/access-rule.js';
import { generateSigningKey } from '../lib/auth/key-ring.js';
import type { Principal } from '../lib/auth/principal.js';
import { TokenSigner } from '../lib/auth/token-signer.js';
import { JwksTokenVerifier } from '../lib/auth/token-verifier.js';
import { authorize } from '../lib/grpc/authenticate.js';
import { rootLogger } from '../lib/log.js';
import { describeMachine, machineFacts } from './machine.js';
import { appendResult, commandLine } from './results.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '2000' },
    repeat: { type: 'string', default: '3' },
  },
});
const calls = Number(values.calls);
const warmup = Number(values.warmup);
const repeat = Number(values.repeat);

function principal(k: number): Principal {
  return {
    userId: `01900000-0000-7000-8000-${String(k).padStart(12, '0')}`,
    email: `shopper${k}@example.com`,
    roles: ['customer'],
    permissions: [],
    sessionId: `01900000-0000-7000-9000-${String(k).padStart(12, '0')}`,
  };
}

interface Measured {
  name: string;
  meanUs: number;
  p50Us: number;
  p99Us: number;
  perSecond: number;
}

async function measure(name: string, call: (i: number) => Promise<unknown>): Promise<Measured> {
  for (let i = 0; i < warmup; i++) await call(i);
  const samples = new Float64Array(calls);
  const started = performance.now();
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await call(i);
    samples[i] = performance.now() - t0;
  }
  const totalMs = performance.now() - started;
  samples.sort();
  const at = (q: number) => Math.round(samples[Math.min(calls - 1, Math.floor(q * calls))]! * 1000 * 10) / 10;
  return {
    name,
    meanUs: Math.round((totalMs / calls) * 1000 * 10) / 10,
    p50Us: at(0.5),
    p99Us: at(0.99),
    perSecond: Math.round(calls / (totalMs / 1000)),
  };
}

const signer = await TokenSigner.create({ active: await generateSigningKey(), previous: [] });
const verifier = new JwksTokenVerifier(async () => signer.publicJwks(), {
  logger: rootLogger.child({ component: 'bench' }),
});
await verifier.refresh();
const one = await signer.sign(principal(1), 900);
const many = await Promise.all(Array.from({ length: 1000 }, (_, k) => signer.sign(principal(k), 900)));
// A token never seen before for every call of the first row, so it measures the signature check.
const fresh = await Promise.all(
  Array.from({ length: (warmup + calls) * repeat }, (_, k) => signer.sign(principal(k), 900)),
);
const rule = allow.authenticated();

const machine = machineFacts();
const command = commandLine('bench/token-verify.ts');
console.log(describeMachine(machine));
console.log(`command: ${command}`);
console.log(
  `token: ${one.length} bytes (EdDSA/Ed25519, customer claims); ${calls} sequential calls per row\n`,
);
console.log('| measurement | mean µs/call | p50 µs | p99 µs | calls/s (one core) |');
console.log('|---|--:|--:|--:|--:|');
let file = '';
// Each round takes tokens of its own from `fresh`: a token verified before would be a cache hit.
let next = 0;
for (let round = 0; round < repeat; round++) {
  const results = [
    await measure('first call with a token (signature check)', () => verifier.verify(fresh[next++]!)),
    await measure('the same token again (verified before)', () => verifier.verify(one)),
    await measure('authorize (header → principal → rule), same token', () =>
      authorize(`Bearer ${one}`, verifier, rule),
    ),
    await measure('authorize, 1000 customers in rotation', (i) =>
      authorize(`Bearer ${many[i % 1000]}`, verifier, rule),
    ),
  ];
  for (const result of results) {
    console.log(
      `| ${result.name} | ${result.meanUs} | ${result.p50Us} | ${result.p99Us} | ${result.perSecond} |`,
    );
    file = appendResult({ kind: 'token-verify', at: new Date().toISOString(), command, machine, result });
  }
}
console.log(`\nappended ${repeat * 4} result(s) to ${file}`);
