/**
 * Unary gRPC load test from the command line, e.g.
 *   npx tsx bench/run.ts --scenario noop,get-product --in-flight 32,64 --clients 2 --duration 10
 * Prints the machine once, then a markdown table row per run, and appends each run as a JSON line
 * to bench/results/<date>.jsonl. Several scenarios run alternately (for each setting, one run of
 * each, in reverse order on every other repeat) so that compared runs see the same conditions.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_CHANNELS, LIMITS, runLoad, type ChannelMode, type LoadResult } from './load/driver.js';
import { scenarioNamed, scenarioTarget, SCENARIOS, type Scenario } from './load/scenarios.js';
import { describeMachine, machineFacts } from './machine.js';
import { appendResult, commandLine } from './results.js';

const USAGE = `usage: npx tsx bench/run.ts [options]
  --scenario a,b     scenarios to run, alternately (${Object.keys(SCENARIOS).join(', ')}); default noop
  --in-flight n,m    total concurrent calls, one run per value; default 64
  --clients n,m      client processes, one run per value; default 2
  --channels x,y     channels per client process: single | per16 (one per 16 in flight); default ${DEFAULT_CHANNELS}
  --duration s       measured seconds per run; default 10
  --warmup s         unmeasured seconds before each run; default 2
  --repeat n         rounds over all settings; default 1
  --pause s          idle seconds between runs; default 1
  --target addr      127.0.0.1:<port> for every scenario (default: each scenario's <SERVICE>_GRPC_ADDR or port)
  --note text        free text stored with the results
Scenarios that create data read BENCH_ADMIN_EMAIL / BENCH_ADMIN_PASSWORD (see bench/README.md).`;

/** A prepared context is re-made after this long: the admin access token lives 15 minutes. */
const CONTEXT_MAX_AGE_MS = 10 * 60_000;

function list(raw: string, what: string): string[] {
  const values = raw
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean);
  if (values.length === 0) throw new Error(`--${what} needs at least one value`);
  return values;
}

function numbers(raw: string, what: string): number[] {
  return list(raw, what).map((value) => {
    const number = Number(value);
    if (!Number.isFinite(number)) throw new Error(`--${what}: "${value}" is not a number`);
    return number;
  });
}

function channelModes(raw: string): ChannelMode[] {
  return list(raw, 'channels').map((value) => {
    if (value !== 'single' && value !== 'per16')
      throw new Error(`--channels: "${value}" is not single or per16`);
    return value;
  });
}

function cell(value: number): string {
  return value.toFixed(value >= 100 ? 1 : 2);
}

function row(result: LoadResult): string {
  const errors = Object.entries(result.errors)
    .map(([code, count]) => `${code} ${count}`)
    .join(', ');
  return `| ${[
    result.scenario,
    result.inFlight,
    result.clients,
    `${result.channels} (${result.channelsPerClient})`,
    result.callsPerSecond.toFixed(0),
    cell(result.p50Ms),
    cell(result.p90Ms),
    cell(result.p99Ms),
    cell(result.maxMs),
    result.calls,
    errors || '0',
    result.clientCpuPercent.map((cpu) => cpu.toFixed(0)).join(', '),
  ].join(' | ')} |`;
}

const HEADER =
  '| scenario | in flight | clients | channels (per client) | calls/s | p50 ms | p90 ms | p99 ms | max ms | calls | errors | client CPU % |\n' +
  '|---|--:|--:|---|--:|--:|--:|--:|--:|--:|---|---|';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', default: 'noop' },
      'in-flight': { type: 'string', default: '64' },
      clients: { type: 'string', default: '2' },
      channels: { type: 'string', default: DEFAULT_CHANNELS },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      repeat: { type: 'string', default: '1' },
      pause: { type: 'string', default: '1' },
      target: { type: 'string' },
      note: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const scenarios = list(values.scenario, 'scenario').map(scenarioNamed);
  const inFlights = numbers(values['in-flight'], 'in-flight');
  const clientCounts = numbers(values.clients, 'clients');
  const channels = channelModes(values.channels);
  const [durationSeconds] = numbers(values.duration, 'duration');
  const [warmupSeconds] = numbers(values.warmup, 'warmup');
  const [repeat] = numbers(values.repeat, 'repeat');
  const [pauseSeconds] = numbers(values.pause, 'pause');
  if (!Number.isInteger(repeat) || repeat! < 1 || repeat! > 100) throw new Error('--repeat must be 1-100');
  if (!(pauseSeconds! >= 0 && pauseSeconds! <= 60)) throw new Error('--pause must be 0-60 seconds');
  if (!(durationSeconds! > 0 && durationSeconds! <= LIMITS.maxDurationSeconds)) {
    throw new Error(`--duration must be more than 0 and at most ${LIMITS.maxDurationSeconds} seconds`);
  }
  if (!(warmupSeconds! >= 0 && warmupSeconds! <= LIMITS.maxWarmupSeconds)) {
    throw new Error(`--warmup must be 0-${LIMITS.maxWarmupSeconds} seconds`);
  }

  // For each setting, every scenario × channel mode back to back, in reverse order on odd rounds
  // (ABBA), so that the runs compared with each other see the same conditions.
  const plan: {
    round: number;
    clients: number;
    inFlight: number;
    channels: ChannelMode;
    scenario: Scenario;
  }[] = [];
  for (let round = 0; round < repeat!; round++) {
    for (const clients of clientCounts) {
      for (const inFlight of inFlights) {
        const combos = channels.flatMap((mode) => scenarios.map((scenario) => ({ mode, scenario })));
        for (const { mode, scenario } of round % 2 === 0 ? combos : combos.reverse()) {
          // A client process needs at least one call in flight.
          plan.push({ round, clients: Math.min(clients, inFlight), inFlight, channels: mode, scenario });
        }
      }
    }
  }

  const seconds = plan.length * (durationSeconds! + warmupSeconds! + pauseSeconds!);
  if (seconds > 4 * 3600) throw new Error(`${plan.length} runs would take over 4 hours`);

  const machine = machineFacts();
  const command = commandLine('bench/run.ts');
  console.log(describeMachine(machine));
  console.log(`command: ${command}`);

  const targetOf = (scenario: Scenario): string => values.target ?? scenarioTarget(scenario);
  const prepared = new Map<string, { context: unknown; at: number }>();
  const contextOf = async (scenario: Scenario): Promise<unknown> => {
    const known = prepared.get(scenario.name);
    if (known && Date.now() - known.at < CONTEXT_MAX_AGE_MS) return known.context;
    const started = Date.now();
    const context = await scenario.prepare(targetOf(scenario), process.env).catch((error: unknown) => {
      throw new Error(`prepare ${scenario.name}: ${error instanceof Error ? error.message : String(error)}`);
    });
    prepared.set(scenario.name, { context, at: Date.now() });
    console.error(
      `prepared ${scenario.name} against ${targetOf(scenario)} in ${(Date.now() - started) / 1000} s`,
    );
    return context;
  };
  for (const scenario of scenarios) await contextOf(scenario);

  console.log(`\n${HEADER}`);
  let file = '';
  let done = 0;
  for (const { round, clients, inFlight, channels: channelMode, scenario } of plan) {
    if (done++ > 0 && pauseSeconds! > 0)
      await new Promise((resolve) => setTimeout(resolve, pauseSeconds! * 1000));
    const result = await runLoad({
      scenario: scenario.name,
      target: targetOf(scenario),
      inFlight,
      clients,
      channels: channelMode,
      durationSeconds: durationSeconds!,
      warmupSeconds: warmupSeconds!,
      context: await contextOf(scenario),
      maxCalls: LIMITS.maxCalls,
    });
    console.log(row(result));
    file = appendResult({
      kind: 'load',
      at: new Date().toISOString(),
      round,
      command,
      note: values.note,
      machine,
      result,
    });
  }
  console.log(`\nappended ${done} result(s) to ${file}`);
}

main().catch((error: unknown) => {
  console.error(`bench/run.ts: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
