import { runService } from '../../../lib/runtime/run.js';
import { notificationModule } from './module.js';

await runService(notificationModule);
