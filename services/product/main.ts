import { runService } from '../../../lib/runtime/run.js';
import { productModule } from './module.js';

await runService(productModule);
