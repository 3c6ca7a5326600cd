import { runService } from '../../../lib/runtime/run.js';
import { userModule } from './module.js';

await runService(userModule);
