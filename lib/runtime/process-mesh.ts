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
    for (const name of names) this.spawn(name);
    await Promise.all(names.map((name) => waitUntilServing(this.address(name), timeoutMs)));
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
    this.spawn(name);
    await waitUntilServing(this.address(name), timeoutMs);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.children.keys()].map((name) => this.stopService(name)));
  }

  private spawn(name: ServiceName): void {
    const entry = resolve('dist/services', name, 'main.js');
    const child = spawn(process.execPath, ['--enable-source-maps', entry], {
      env: { ...this.env, METRICS_PORT: metricsPortOf(name, this.env) },
      stdio: ['ignore', this.output, this.output === 'inherit' ? 'inherit' : 'pipe'],
    });
    if (this.output === 'ignore') {
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
      child.once('exit', (code) => {
        if (code !== 0 && code !== null && this.children.get(name) === child) {
          process.stderr.write(`[${name}] exited with ${code}\n${stderr}\n`);
        }
      });
    }
    this.children.set(name, child);
  }
}
