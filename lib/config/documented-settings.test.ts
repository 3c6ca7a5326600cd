import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';

/*
 * Every environment variable the code reads is a row of the README's configuration table, and
 * every row is read somewhere: the two cannot drift apart. The code is scanned for the ways it
 * reads a setting (the readers of lib/config, `process.env.X`, `env.X`, `X_SETTING` constants);
 * `${service.toUpperCase()}_X` stands for the per-service `<SERVICE>_X`.
 */
const SCANNED = ['lib', 'services', 'scripts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

function settingsReadByTheCode(): Set<string> {
  const sources = SCANNED.flatMap(sourceFiles).map((path) => readFileSync(path, 'utf8'));
  const constants = new Map<string, string>();
  for (const source of sources) {
    for (const [, name, value] of source.matchAll(/\b([A-Z_]+_SETTING) = '([A-Z0-9_]+)'/g)) {
      constants.set(name!, value!);
    }
  }
  const found = new Set<string>(constants.values());
  const add = (raw: string): void => {
    const name = raw
      .replace(/\$\{\w+\.toUpperCase\(\)\}/g, '<SERVICE>')
      .replace(/\$\{([A-Z_]+_SETTING)\}/g, (_, constant: string) => constants.get(constant) ?? constant);
    if (/^[A-Z<][A-Z0-9_<>]*$/.test(name)) found.add(name);
  };
  for (const source of sources) {
    for (const [, name] of source.matchAll(/\bread[A-Z]\w*\(\s*[\w.]+,\s*['`]([^'`]+)['`]/g)) add(name!);
    for (const [, name] of source.matchAll(/\bprocess\.env\.([A-Z][A-Z0-9_]*)/g)) add(name!);
    for (const [, name] of source.matchAll(/\bprocess\.env\[['`]([^'`]+)['`]\]/g)) add(name!);
    for (const [, name] of source.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)) add(name!);
  }
  return found;
}

function settingsInTheReadme(): Set<string> {
  const readme = readFileSync('README.md', 'utf8');
  const table = readme.split('## Configuration')[1]!.split('\n## ')[0]!;
  const rows = table.split('\n').filter((line) => /^\| `/.test(line));
  return new Set(rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)));
}

describe('lib/config: the README documents every setting', () => {
  it('lists exactly the environment variables the code reads', () => {
    const read = settingsReadByTheCode();
    const documented = settingsInTheReadme();
    expect(
      [...read].filter((name) => !documented.has(name)).sort(),
      'read but not in the README',
    ).to.deep.equal([]);
    expect(
      [...documented].filter((name) => !read.has(name)).sort(),
      'in the README but never read',
    ).to.deep.equal([]);
  });
});
