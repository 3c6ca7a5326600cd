import { status } from '@grpc/grpc-js';
import { DiscountServiceService } from '../../../gen/ecommerce/discount/v1/discount.js';
import { allow } from '../../../lib/auth/access-rule.js';
import { AppError } from '../../../lib/errors.js';
import { implementService, type ServiceHandlers } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { discountDatabase } from './database.js';
import { seedDiscountDemo } from './seed/index.js';

/** The contract is declared; every RPC answers UNIMPLEMENTED until its handler lands. */
const notYet = Object.fromEntries(
  Object.keys(DiscountServiceService).map((name) => [
    name,
    {
      access: allow.internal(),
      handle: async () => {
        throw new AppError(status.UNIMPLEMENTED, `${name} is not implemented yet`);
      },
    },
  ]),
) as unknown as ServiceHandlers<typeof DiscountServiceService>;

/** The discount service. */
export const discountModule: ServiceModule = {
  name: 'discount',
  database: discountDatabase,
  seed: seedDiscountDemo,
  async create({ verifier, logger }) {
    return {
      grpc: [
        {
          name: 'ecommerce.discount.v1.DiscountService',
          definition: DiscountServiceService,
          implementation: implementService(DiscountServiceService, notYet, { verifier, logger }),
        },
      ],
    };
  },
};
