import { runService } from '../../lib/runtime/run.js';
import { shippingModule } from './src/module.js';

await runService(shippingModule);
