import type { Logger } from '../log.js';
import type { BackgroundTask } from './service-module.js';

/**
 * What a service's start has made so far (database, clients, consumers, jobs), stopped in the
 * reverse order it was made. One that fails to stop is logged and the rest still stop, so one
 * stuck consumer does not keep the database open.
 */
export class StartedResources {
  private readonly resources: BackgroundTask[] = [];

  constructor(private readonly logger: Logger) {}

  add(resource: BackgroundTask): void {
    this.resources.push(resource);
  }

  async stopAll(): Promise<void> {
    for (const resource of this.resources.splice(0).reverse()) {
      try {
        await resource.stop();
      } catch (error) {
        this.logger.error({ err: error, resource: resource.name }, 'stopping failed');
      }
    }
  }
}
