import { runService } from '../../../lib/runtime/run.js';
import { authModule } from './module.js';

await runService(authModule);
