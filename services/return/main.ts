import { runService } from '../../../lib/runtime/run.js';
import { returnModule } from './module.js';

await runService(returnModule);
