import { runService } from '../../../lib/runtime/run.js';
import { cartModule } from './module.js';

await runService(cartModule);
