import { runService } from '../../../lib/runtime/run.js';
import { orderModule } from './module.js';

await runService(orderModule);
