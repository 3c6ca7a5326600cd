import type { ServiceModule } from '../lib/runtime/service-module.js';
import { authModule } from './auth/src/module.js';
import { userModule } from './user/src/module.js';
import { productModule } from './product/src/module.js';
import { orderModule } from './order/src/module.js';
import { paymentModule } from './payment/src/module.js';
import { notificationModule } from './notification/src/module.js';
import { cartModule } from './cart/src/module.js';
import { discountModule } from './discount/src/module.js';
import { shippingModule } from './shipping/src/module.js';
import { returnModule } from './return/src/module.js';

/** The ten services, in start order: auth first, since everyone else verifies its tokens. */
export const ALL_SERVICES: ServiceModule[] = [
  authModule,
  userModule,
  productModule,
  orderModule,
  paymentModule,
  notificationModule,
  cartModule,
  discountModule,
  shippingModule,
  returnModule,
];
