import { PaymentServiceService } from '../../../gen/ecommerce/payment/v1/payment.js';
import { implementService } from '../../../lib/grpc/index.js';
import type { ServiceModule } from '../../../lib/runtime/service-module.js';
import { paymentDatabase } from './database.js';

/** The payment service: its contract is declared; its RPCs arrive with their issue. */
export const paymentModule: ServiceModule = {
  name: 'payment',
  database: paymentDatabase,
  async create({ verifier, logger }) {
    return {
      grpc: [
        {
          name: 'ecommerce.payment.v1.PaymentService',
          definition: PaymentServiceService,
          implementation: implementService(PaymentServiceService, {}, { verifier, logger }),
        },
      ],
    };
  },
};
