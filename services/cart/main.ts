import { runService } from '../../lib/runtime/run.js';
import { cartModule } from './src/module.js';

await runService(cartModule);
