import { runService } from '../../lib/runtime/run.js';
import { discountModule } from './src/module.js';

await runService(discountModule);
