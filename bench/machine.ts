import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';

/** Facts about the machine a benchmark ran on, recorded with every result. */
export interface MachineFacts {
  cpus: number;
  cpuModel: string;
  node: string;
  os: string;
  memoryGiB: number;
  loadAverage: number[];
  grpcJs: string;
  commit: string;
}

function gitCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit}+dirty` : commit;
  } catch {
    return 'unknown';
  }
}

export function machineFacts(): MachineFacts {
  const require = createRequire(import.meta.url);
  const grpcJs = (require('@grpc/grpc-js/package.json') as { version: string }).version;
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    os: `${os.platform()} ${os.release()} ${os.arch()}`,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
    grpcJs,
    commit: gitCommit(),
  };
}

export function describeMachine(facts: MachineFacts): string {
  return (
    `machine: ${facts.cpus} CPUs (${facts.cpuModel}), ${facts.memoryGiB} GiB, ${facts.os}; ` +
    `Node ${facts.node}, @grpc/grpc-js ${facts.grpcJs}; commit ${facts.commit}; ` +
    `load average ${facts.loadAverage.join(' ')}`
  );
}
