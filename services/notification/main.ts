import { runService } from '../../lib/runtime/run.js';
import { notificationModule } from './src/module.js';

await runService(notificationModule);
