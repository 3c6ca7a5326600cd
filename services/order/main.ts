import { runService } from '../../lib/runtime/run.js';
import { orderModule } from './src/module.js';

await runService(orderModule);
