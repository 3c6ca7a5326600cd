import { runService } from '../../lib/runtime/run.js';
import { productModule } from './src/module.js';

await runService(productModule);
