import { runService } from '../../lib/runtime/run.js';
import { paymentModule } from './src/module.js';

await runService(paymentModule);
