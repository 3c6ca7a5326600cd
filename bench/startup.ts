/**
 * Start-up time of the embedded mesh (`node dist/services/main.js`: ten services, PGlite, in-process
 * events), first with a fresh DATA_DIR (cold: every database is created) and then again with the
 * same one (warm). Measures from spawn until every service answers grpc.health.v1 SERVING, reads
 * the process RSS at that moment, then stops it with SIGINT.
 *   make build && npx tsx bench/startup.ts [--warm 2] [--keep]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { DEFAULT_GRPC_PORTS, SERVICE_NAMES } from '../lib/config/topology.js';
import { checkWith, createHealthClient } from '../lib/runtime/health-probe.js';
import { describeMachine, machineFacts } from './machine.js';
import { appendResult, commandLine } from './results.js';

const REPO_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const POLL_INTERVAL_MS = 100;
const STOP_TIMEOUT_MS = 60_000;
const READY_LINE = /All \d+ services are serving/;

interface StartupResult {
  start: 'cold' | 'warm';
  /** Seconds from spawn until all ten services answered SERVING. */
  secondsToServing: number;
  /** Seconds from spawn until the process printed "All 10 services are serving". */
  secondsToReadyLine: number | null;
  /** Resident set size when all were serving (VmRSS), and the peak so far (VmHWM). */
  rssMiB: number;
  peakRssMiB: number;
  /** Seconds from SIGINT to exit, and how it exited. */
  secondsToStop: number;
  exit: string;
}

const USAGE = `usage: npx tsx bench/startup.ts [--warm n] [--timeout s] [--keep] [--entry dist/services/main.js] [--port-offset n]
  --warm n         warm starts after the cold one, same DATA_DIR; default 1
  --timeout s      give up on a start after this many seconds; default 300
  --keep           keep the temporary DATA_DIR (printed) instead of deleting it
  --entry path     the mesh entry point; default dist/services/main.js (build it with \`make build\`)
  --port-offset=n  serve on the default gRPC ports + n (when something else holds them); default 0`;

let portOffset = 0;
const grpcPort = (name: (typeof SERVICE_NAMES)[number]): number => DEFAULT_GRPC_PORTS[name] + portOffset;

/** The environment for an embedded start: no external database or NATS, default ports (+ offset), quiet logs. */
function embeddedEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name === 'DATABASE_URL' || name === 'NATS_URL' || name === 'GRPC_HOST') delete env[name];
    if (name.endsWith('_DATABASE_URL') || name.endsWith('_GRPC_PORT') || name.endsWith('_GRPC_ADDR')) {
      delete env[name];
    }
  }
  if (portOffset !== 0) {
    for (const name of SERVICE_NAMES) {
      env[`${name.toUpperCase()}_GRPC_PORT`] = String(grpcPort(name));
      env[`${name.toUpperCase()}_GRPC_ADDR`] = `127.0.0.1:${grpcPort(name)}`;
    }
  }
  return { ...env, DATA_DIR: dataDir, METRICS_PORT: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function readStatusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

function waitForExit(child: ChildProcess): Promise<string> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(child.signalCode ?? `code ${child.exitCode}`);
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)));
}

async function measureStart(
  entry: string,
  dataDir: string,
  start: 'cold' | 'warm',
  timeoutMs: number,
): Promise<StartupResult> {
  const output: string[] = [];
  const remember = (chunk: Buffer): void => {
    output.push(...chunk.toString().split('\n'));
    output.splice(0, Math.max(0, output.length - 40));
  };
  // Short reconnect back-off: a channel tried before its port is open must retry promptly.
  const options: grpc.ChannelOptions = {
    'grpc.use_local_subchannel_pool': 1,
    'grpc.initial_reconnect_backoff_ms': 50,
    'grpc.max_reconnect_backoff_ms': POLL_INTERVAL_MS,
  };
  const pending = new Map(
    SERVICE_NAMES.map((name) => [name, createHealthClient(`127.0.0.1:${grpcPort(name)}`, options)]),
  );

  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [entry], {
    cwd: REPO_ROOT,
    env: embeddedEnv(dataDir),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let secondsToReadyLine: number | null = null;
  child.stdout!.on('data', (chunk: Buffer) => {
    if (secondsToReadyLine === null && READY_LINE.test(chunk.toString())) {
      secondsToReadyLine = (performance.now() - spawnedAt) / 1000;
    }
    remember(chunk);
  });
  child.stderr!.on('data', remember);
  const exited = waitForExit(child);

  try {
    while (pending.size > 0) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `the mesh exited (${await exited}) before serving; last output:\n${output.join('\n')}`,
        );
      }
      if (performance.now() - spawnedAt > timeoutMs) {
        throw new Error(
          `not all services SERVING after ${timeoutMs / 1000} s (still waiting for ${[...pending.keys()].join(', ')}); ` +
            `last output:\n${output.join('\n')}`,
        );
      }
      const checks = [...pending].map(async ([name, client]) => {
        const status = await checkWith(client, new Date(Date.now() + 500)).catch(() => 'no answer');
        if (status === 'SERVING') {
          pending.delete(name);
          client.close();
        }
      });
      await Promise.all(checks);
      if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
    const secondsToServing = (performance.now() - spawnedAt) / 1000;
    const rssMiB = readStatusKiB(child.pid!, 'VmRSS') / 1024;
    const peakRssMiB = readStatusKiB(child.pid!, 'VmHWM') / 1024;

    const stoppingAt = performance.now();
    child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const exit = await exited;
    clearTimeout(killer);
    return {
      start,
      secondsToServing,
      secondsToReadyLine,
      rssMiB,
      peakRssMiB,
      secondsToStop: (performance.now() - stoppingAt) / 1000,
      exit,
    };
  } finally {
    for (const client of pending.values()) client.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}

function row(result: StartupResult): string {
  return `| ${[
    result.start,
    result.secondsToServing.toFixed(2),
    result.secondsToReadyLine === null ? '-' : result.secondsToReadyLine.toFixed(2),
    result.rssMiB.toFixed(0),
    result.peakRssMiB.toFixed(0),
    result.secondsToStop.toFixed(2),
    result.exit,
  ].join(' | ')} |`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      warm: { type: 'string', default: '1' },
      timeout: { type: 'string', default: '300' },
      keep: { type: 'boolean', default: false },
      entry: { type: 'string', default: 'dist/services/main.js' },
      'port-offset': { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const warm = Number(values.warm);
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isInteger(warm) || warm < 0 || warm > 20) throw new Error('--warm must be 0-20');
  if (!(timeoutSeconds > 0 && timeoutSeconds <= 1800)) throw new Error('--timeout must be 1-1800 seconds');
  portOffset = Number(values['port-offset']);
  const ports = SERVICE_NAMES.map(grpcPort);
  if (!Number.isInteger(portOffset) || Math.min(...ports) < 1024 || Math.max(...ports) > 65535) {
    throw new Error('--port-offset must keep every port within 1024-65535');
  }
  const entry = resolve(REPO_ROOT, values.entry);
  if (!existsSync(entry))
    throw new Error(`${relative(REPO_ROOT, entry)} does not exist: run \`make build\` first`);
  for (const name of SERVICE_NAMES) {
    if (await portInUse(grpcPort(name))) {
      throw new Error(
        `127.0.0.1:${grpcPort(name)} (${name}) is already in use: stop what runs there first (or --port-offset)`,
      );
    }
  }

  const machine = machineFacts();
  const command = commandLine('bench/startup.ts');
  console.log(describeMachine(machine));
  console.log(`command: ${command}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'ecommerce-bench-startup-'));
  console.log(`DATA_DIR: ${dataDir}\n`);
  console.log(
    '| start | s to all 10 SERVING | s to "serving" line | RSS MiB | peak RSS MiB | s to stop | exit |',
  );
  console.log('|---|--:|--:|--:|--:|--:|---|');
  let file = '';
  try {
    for (let run = 0; run <= warm; run++) {
      const result = await measureStart(entry, dataDir, run === 0 ? 'cold' : 'warm', timeoutSeconds * 1000);
      console.log(row(result));
      file = appendResult({ kind: 'startup', at: new Date().toISOString(), command, machine, result });
    }
  } finally {
    if (values.keep) console.log(`\nkept DATA_DIR ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`\nappended ${warm + 1} result(s) to ${file}`);
}

main().catch((error: unknown) => {
  console.error(`bench/startup.ts: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
