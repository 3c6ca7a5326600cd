import { runService } from '../../lib/runtime/run.js';
import { returnModule } from './src/module.js';

await runService(returnModule);
