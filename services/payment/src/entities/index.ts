import { PaymentMethod } from './payment-method.js';
import { PaymentTransaction } from './payment-transaction.js';
import { PaymentWebhook } from './payment-webhook.js';
import { Payment } from './payment.js';
import { Refund } from './refund.js';

export { Payment, PaymentMethod, PaymentTransaction, PaymentWebhook, Refund };

export const paymentEntities = [Payment, PaymentTransaction, Refund, PaymentMethod, PaymentWebhook];
