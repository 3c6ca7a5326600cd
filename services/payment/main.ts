import { runService } from '../../../lib/runtime/run.js';
import { paymentModule } from './module.js';

await runService(paymentModule);
