import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/results/ (git-ignored): one JSON line per measurement, one file per UTC day. */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'results');

/** Appends `record` as one JSON line to bench/results/<YYYY-MM-DD>.jsonl; returns the file. */
export function appendResult(record: object, now = new Date()): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${now.toISOString().slice(0, 10)}.jsonl`);
  appendFileSync(file, `${JSON.stringify(record)}\n`);
  return file;
}

/** The command as typed, for the record (and for BENCHMARKS.md). */
export function commandLine(script: string): string {
  const quote = (arg: string): string =>
    /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
  return ['npx tsx', script, ...process.argv.slice(2).map(quote)].join(' ');
}
