import { runService } from '../../lib/runtime/run.js';
import { authModule } from './src/module.js';

await runService(authModule);
