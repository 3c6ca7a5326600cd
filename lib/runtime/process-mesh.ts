import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { DEFAULT_GRPC_PORTS, SERVICE_NAMES, type ServiceName } from '../config/index.js';
import { waitUntilServing } from './health-probe.js';

const FIRST_METRICS_PORT = 9401;

/** One process, one metrics port: 9401 (auth) … 9410 (return), unless METRICS_PORT=0 turns them off. */
function metricsPortOf(name: ServiceName, env: NodeJS.ProcessEnv): string {
  return env.METRICS_PORT === '0' ? '0' : String(FIRST_METRICS_PORT + SERVICE_NAMES.indexOf(name));
}

/**
 * The distributed run on one machine: each service its own `node dist/services/<name>/main.js`
 * process against DATABASE_URL and NATS_URL. Used by `make run-distributed` and by the
 * cross-service tests when MESH=processes, which can stop and restart one service to test faults.
 */
export class ProcessMesh {
  private readonly children = new Map<ServiceName, ChildProcess>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly output: 'inherit' | 'ignore' = 'inherit',
  ) {}

  async start(names: readonly ServiceName[], timeoutMs = 60_000): Promise<void> {
    await Promise.all(names.map((name) => this.launch(name, timeoutMs)));
  }

  address(name: ServiceName): string {
    return this.env[`${name.toUpperCase()}_GRPC_ADDR`] ?? `127.0.0.1:${DEFAULT_GRPC_PORTS[name]}`;
  }

  async stopService(name: ServiceName): Promise<void> {
    const child = this.children.get(name);
    this.children.delete(name);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  }

  async restartService(name: ServiceName, timeoutMs = 60_000): Promise<void> {
    await this.stopService(name);
    await this.launch(name, timeoutMs);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.children.keys()].map((name) => this.stopService(name)));
  }

  /** Spawns a service and waits until it is SERVING; a process that exits first fails at once, with its last words. */
  private async launch(name: ServiceName, timeoutMs: number): Promise<void> {
    const child = spawn(
      process.execPath,
      ['--enable-source-maps', resolve('dist/services', name, 'main.js')],
      {
        env: { ...this.env, METRICS_PORT: metricsPortOf(name, this.env) },
        stdio: [
          'ignore',
          this.output === 'inherit' ? 'inherit' : 'pipe',
          this.output === 'inherit' ? 'inherit' : 'pipe',
        ],
      },
    );
    this.children.set(name, child);
    let lastOutput = '';
    const keep = (chunk: Buffer): void => void (lastOutput = (lastOutput + chunk.toString()).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) =>
        reject(new Error(`${name} exited with code ${code} before serving\n${lastOutput}`)),
      ),
    );
    exited.catch(() => undefined); // an exit after serving is stopService's business, not a failure
    await Promise.race([waitUntilServing(this.address(name), timeoutMs), exited]);
  }
}
