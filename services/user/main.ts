import { runService } from '../../lib/runtime/run.js';
import { userModule } from './src/module.js';

await runService(userModule);
