import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The script `name` next to the module at `moduleUrl` (its `import.meta.url`), and the node flags
 * that let a forked process run it: tsx's loader when we run from source, without `--inspect`.
 */
export function siblingScript(moduleUrl: string, name: string): { path: string; execArgv: string[] } {
  const here = fileURLToPath(moduleUrl);
  const extension = extname(here);
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--inspect'));
  if (extension === '.ts' && !execArgv.some((arg) => arg.includes('tsx'))) {
    execArgv.push('--import', import.meta.resolve('tsx'));
  }
  return { path: join(dirname(here), `${name}${extension === '.ts' ? '.ts' : '.js'}`), execArgv };
}
