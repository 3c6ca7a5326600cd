import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { DEFAULT_GRPC_PORTS, SERVICE_NAMES, type ServiceName } from '../config/index.js';
import { formatLogLineForTerminal } from '../log-format.js';
import { waitUntilServing } from './health-probe.js';

const FIRST_METRICS_PORT = 9401;
const STOP_GRACE_MS = 10_000;

/** One process, one metrics port: 9401 (auth) … 9410 (return), unless METRICS_PORT=0 turns them off. */
function metricsPortOf(name: ServiceName, env: NodeJS.ProcessEnv): string {
  return env.METRICS_PORT === '0' ? '0' : String(FIRST_METRICS_PORT + SERVICE_NAMES.indexOf(name));
}

/** How a service's process is started: node's arguments (default: the built `dist/services/<name>/main.js`). */
export type ServiceCommand = (name: ServiceName) => string[];

const builtService: ServiceCommand = (name) => [
  '--enable-source-maps',
  resolve('dist/services', name, 'main.js'),
];

/** A service that exited before serving: which one, and the reason it logged (its fatal line) if any. */
export class ServiceStartError extends Error {
  constructor(
    readonly service: ServiceName,
    readonly reason: string,
    readonly lastOutput: string,
  ) {
    super(`${service} refused to start: ${reason}`);
    this.name = 'ServiceStartError';
  }
}

/** The message of the last fatal or error JSON line a process wrote, if it wrote one. */
function reasonIn(output: string): string | undefined {
  for (const line of output.split('\n').reverse()) {
    try {
      const record = JSON.parse(line) as { level?: string; msg?: string };
      if ((record.level === 'fatal' || record.level === 'error') && record.msg) return record.msg;
    } catch {
      // not a log line
    }
  }
  return undefined;
}

/**
 * The distributed run on one machine: each service its own `node dist/services/<name>/main.js`
 * process against DATABASE_URL and NATS_URL. Used by `make run-distributed` and by the
 * cross-service tests when MESH=processes, which can stop, kill and restart one service to test
 * faults. A start that fails stops every process it started.
 */
export class ProcessMesh {
  private readonly children = new Map<ServiceName, ChildProcess>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly output: 'inherit' | 'ignore' = 'inherit',
    private readonly command: ServiceCommand = builtService,
  ) {}

  /** Starts the services; if one refuses, stops the others and rejects with its ServiceStartError. */
  async start(names: readonly ServiceName[], timeoutMs = 60_000): Promise<void> {
    const launches = await Promise.allSettled(names.map((name) => this.launch(name, timeoutMs)));
    const failed = launches.find((launch) => launch.status === 'rejected');
    if (failed) {
      await this.stop();
      throw failed.reason;
    }
  }

  address(name: ServiceName): string {
    return this.env[`${name.toUpperCase()}_GRPC_ADDR`] ?? `127.0.0.1:${DEFAULT_GRPC_PORTS[name]}`;
  }

  /** Stops a service cleanly (SIGTERM; SIGKILL if it has not exited after a grace period). */
  async stopService(name: ServiceName): Promise<void> {
    await this.end(name, 'SIGTERM');
  }

  /** Kills a service outright (SIGKILL), as a crash would: no drain, no clean shutdown. Resolves to the signal it died of. */
  async killService(name: ServiceName): Promise<NodeJS.Signals | null> {
    return this.end(name, 'SIGKILL');
  }

  async restartService(name: ServiceName, timeoutMs = 60_000): Promise<void> {
    await this.stopService(name);
    await this.launch(name, timeoutMs);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.children.keys()].map((name) => this.stopService(name)));
  }

  /** Ends a service's process; resolves to the signal it died of (null: it exited by itself). */
  private async end(name: ServiceName, signal: NodeJS.Signals): Promise<NodeJS.Signals | null> {
    const child = this.children.get(name);
    this.children.delete(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.signalCode ?? null;
    const exited = new Promise<NodeJS.Signals | null>((done) => child.once('exit', (_, how) => done(how)));
    child.kill(signal);
    const stuck = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    const how = await exited;
    clearTimeout(stuck);
    return how;
  }

  /** Spawns a service and waits until it is SERVING; a process that exits first fails at once, saying why. */
  private async launch(name: ServiceName, timeoutMs: number): Promise<void> {
    const child = spawn(process.execPath, this.command(name), {
      env: { ...this.env, METRICS_PORT: metricsPortOf(name, this.env) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.set(name, child);
    let lastOutput = '';
    const keep = (chunk: Buffer): void => void (lastOutput = (lastOutput + chunk.toString()).slice(-8000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    if (this.output === 'inherit') {
      forwardLines(child.stdout, process.stdout);
      forwardLines(child.stderr, process.stderr);
    }
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) =>
        reject(
          new ServiceStartError(
            name,
            reasonIn(lastOutput) ?? `exited (${signal ?? `code ${code}`}) before serving`,
            lastOutput,
          ),
        ),
      ),
    );
    exited.catch(() => undefined); // an exit after serving is stopService's business, not a failure
    const polling = new AbortController();
    try {
      await Promise.race([waitUntilServing(this.address(name), timeoutMs, polling.signal), exited]);
    } finally {
      polling.abort(); // a process that exited first is not polled for the rest of the timeout
    }
  }
}

/** Copies a child's output line by line (readable lines when the target is a terminal). */
function forwardLines(from: NodeJS.ReadableStream, to: NodeJS.WriteStream): void {
  let partial = '';
  from.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) to.write(to.isTTY ? formatLogLineForTerminal(`${line}\n`) : `${line}\n`);
  });
  from.on('end', () => {
    if (partial) to.write(`${partial}\n`);
  });
}
