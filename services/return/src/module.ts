import { ReturnServiceService } from '../../../gen/ecommerce/return/v1/return.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { returnDatabase } from './database.js';

/** The return service: its contract is declared; its RPCs arrive with their issue. */
export const returnModule: ServiceModule = {
  name: 'return',
  database: returnDatabase,
  async create({ verifier, logger }) {
    return {
      grpc: [
        {
          name: 'ecommerce.return.v1.ReturnService',
          definition: ReturnServiceService,
          implementation: implementService(ReturnServiceService, {}, { verifier, logger }),
        },
      ],
    };
  },
};
