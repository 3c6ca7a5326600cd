import { runService } from '../../../lib/runtime/run.js';
import { shippingModule } from './module.js';

await runService(shippingModule);
