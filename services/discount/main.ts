import { runService } from '../../../lib/runtime/run.js';
import { discountModule } from './module.js';

await runService(discountModule);
