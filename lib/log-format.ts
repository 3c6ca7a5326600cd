const LEVEL_COLOURS: Record<string, string> = {
  fatal: '\x1b[41m',
  error: '\x1b[31m',
  warn: '\x1b[33m',
  info: '\x1b[32m',
  debug: '\x1b[36m',
  trace: '\x1b[90m',
};
const RESET = '\x1b[0m';
const DIM = '\x1b[90m';
// Said once per line already (time, level, where) or the same on every line (pid).
const SHOWN_FIELDS = new Set(['time', 'level', 'msg', 'pid', 'service', 'component']);

/**
 * One JSON log line as a person at a terminal reads it:
 * `12:00:01.234 INFO  cart/outbox-relay  message  key=value …` (errors with their stack below).
 * A line that is not JSON passes through unchanged.
 */
export function formatLogLineForTerminal(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = String(record.level ?? '');
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
  const where = [record.service, record.component].filter((part) => part !== undefined).join('/');
  const fields = Object.entries(record)
    .filter(([key]) => !SHOWN_FIELDS.has(key) && key !== 'err')
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const error = record.err as { stack?: string; message?: string } | undefined;
  const head = [
    `${DIM}${time}${RESET}`,
    `${LEVEL_COLOURS[level] ?? ''}${level.toUpperCase().padEnd(5)}${RESET}`,
    where ? `${DIM}${where}${RESET}` : undefined,
    String(record.msg ?? ''),
    fields.length > 0 ? `${DIM}${fields.join(' ')}${RESET}` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join('  ');
  const stack = error?.stack ?? error?.message;
  return `${head}\n${stack ? `${stack.replace(/^/gm, '    ')}\n` : ''}`;
}
