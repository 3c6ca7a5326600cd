import * as authMessages from '../../gen/ecommerce/auth/v1/events.js';
import * as cartMessages from '../../gen/ecommerce/cart/v1/events.js';
import * as discountMessages from '../../gen/ecommerce/discount/v1/events.js';
import * as notificationMessages from '../../gen/ecommerce/notification/v1/events.js';
import * as orderMessages from '../../gen/ecommerce/order/v1/events.js';
import * as paymentMessages from '../../gen/ecommerce/payment/v1/events.js';
import * as productMessages from '../../gen/ecommerce/product/v1/events.js';
import * as returnMessages from '../../gen/ecommerce/return/v1/events.js';
import * as shippingMessages from '../../gen/ecommerce/shipping/v1/events.js';
import * as userMessages from '../../gen/ecommerce/user/v1/events.js';
import { defineEvent } from './event-type.js';

/**
 * Every event of the platform, defined once from its contract (`proto/ecommerce/<service>/v1/
 * events.proto`: the `Subject:` comment and the message). Publishers and consumers import the same
 * definition, so a subject or a type name cannot differ between the two sides; a test checks this
 * list against the contracts.
 */

// auth
export const UserRegisteredEvent = defineEvent(
  'auth.user.registered',
  'ecommerce.auth.v1.UserRegistered',
  authMessages.UserRegistered,
);
export const EmailVerificationRequestedEvent = defineEvent(
  'auth.email_verification.requested',
  'ecommerce.auth.v1.EmailVerificationRequested',
  authMessages.EmailVerificationRequested,
);
export const UserEmailVerifiedEvent = defineEvent(
  'auth.user.email_verified',
  'ecommerce.auth.v1.UserEmailVerified',
  authMessages.UserEmailVerified,
);
export const UserDeactivatedEvent = defineEvent(
  'auth.user.deactivated',
  'ecommerce.auth.v1.UserDeactivated',
  authMessages.UserDeactivated,
);
export const UserReactivatedEvent = defineEvent(
  'auth.user.reactivated',
  'ecommerce.auth.v1.UserReactivated',
  authMessages.UserReactivated,
);
export const PasswordResetRequestedEvent = defineEvent(
  'auth.password_reset.requested',
  'ecommerce.auth.v1.PasswordResetRequested',
  authMessages.PasswordResetRequested,
);

// cart
export const CartConvertedEvent = defineEvent(
  'cart.cart.converted',
  'ecommerce.cart.v1.CartConverted',
  cartMessages.CartConverted,
);
export const CartAbandonedEvent = defineEvent(
  'cart.cart.abandoned',
  'ecommerce.cart.v1.CartAbandoned',
  cartMessages.CartAbandoned,
);

// discount
export const CouponRedeemedEvent = defineEvent(
  'discount.coupon.redeemed',
  'ecommerce.discount.v1.CouponRedeemed',
  discountMessages.CouponRedeemed,
);
export const CouponUsageLimitReachedEvent = defineEvent(
  'discount.coupon.usage_limit_reached',
  'ecommerce.discount.v1.CouponUsageLimitReached',
  discountMessages.CouponUsageLimitReached,
);
export const PromotionAppliedEvent = defineEvent(
  'discount.promotion.applied',
  'ecommerce.discount.v1.PromotionApplied',
  discountMessages.PromotionApplied,
);

// notification
export const NotificationSentEvent = defineEvent(
  'notification.notification.sent',
  'ecommerce.notification.v1.NotificationSent',
  notificationMessages.NotificationSent,
);

// order
export const OrderConfirmedEvent = defineEvent(
  'order.order.confirmed',
  'ecommerce.order.v1.OrderConfirmed',
  orderMessages.OrderConfirmed,
);
export const OrderCancelledEvent = defineEvent(
  'order.order.cancelled',
  'ecommerce.order.v1.OrderCancelled',
  orderMessages.OrderCancelled,
);
export const OrderDeliveredEvent = defineEvent(
  'order.order.delivered',
  'ecommerce.order.v1.OrderDelivered',
  orderMessages.OrderDelivered,
);
export const OrderStatusChangedEvent = defineEvent(
  'order.order.status_changed',
  'ecommerce.order.v1.OrderStatusChanged',
  orderMessages.OrderStatusChanged,
);

// payment
export const PaymentAuthorizedEvent = defineEvent(
  'payment.payment.authorized',
  'ecommerce.payment.v1.PaymentAuthorized',
  paymentMessages.PaymentAuthorized,
);
export const PaymentFailedEvent = defineEvent(
  'payment.payment.failed',
  'ecommerce.payment.v1.PaymentFailed',
  paymentMessages.PaymentFailed,
);
export const PaymentVoidedEvent = defineEvent(
  'payment.payment.voided',
  'ecommerce.payment.v1.PaymentVoided',
  paymentMessages.PaymentVoided,
);
export const PaymentCapturedEvent = defineEvent(
  'payment.payment.captured',
  'ecommerce.payment.v1.PaymentCaptured',
  paymentMessages.PaymentCaptured,
);
export const PaymentRefundedEvent = defineEvent(
  'payment.payment.refunded',
  'ecommerce.payment.v1.PaymentRefunded',
  paymentMessages.PaymentRefunded,
);

// product
export const ProductCreatedEvent = defineEvent(
  'product.product.created',
  'ecommerce.product.v1.ProductCreated',
  productMessages.ProductCreated,
);
export const ProductUpdatedEvent = defineEvent(
  'product.product.updated',
  'ecommerce.product.v1.ProductUpdated',
  productMessages.ProductUpdated,
);
export const ProductArchivedEvent = defineEvent(
  'product.product.archived',
  'ecommerce.product.v1.ProductArchived',
  productMessages.ProductArchived,
);
export const InventoryLowStockEvent = defineEvent(
  'product.inventory.low_stock',
  'ecommerce.product.v1.InventoryLowStock',
  productMessages.InventoryLowStock,
);
export const CategoryUpdatedEvent = defineEvent(
  'product.category.updated',
  'ecommerce.product.v1.CategoryUpdated',
  productMessages.CategoryUpdated,
);

// return
export const ReturnReceivedEvent = defineEvent(
  'return.return.received',
  'ecommerce.return.v1.ReturnReceived',
  returnMessages.ReturnReceived,
);
export const RefundRequestedEvent = defineEvent(
  'return.refund.requested',
  'ecommerce.return.v1.RefundRequested',
  returnMessages.RefundRequested,
);
export const ReturnRequestedEvent = defineEvent(
  'return.return.requested',
  'ecommerce.return.v1.ReturnRequested',
  returnMessages.ReturnRequested,
);
export const ReturnApprovedEvent = defineEvent(
  'return.return.approved',
  'ecommerce.return.v1.ReturnApproved',
  returnMessages.ReturnApproved,
);
export const ReturnRejectedEvent = defineEvent(
  'return.return.rejected',
  'ecommerce.return.v1.ReturnRejected',
  returnMessages.ReturnRejected,
);
export const ReturnRefundedEvent = defineEvent(
  'return.return.refunded',
  'ecommerce.return.v1.ReturnRefunded',
  returnMessages.ReturnRefunded,
);

// shipping
export const ShipmentCreatedEvent = defineEvent(
  'shipping.shipment.created',
  'ecommerce.shipping.v1.ShipmentCreated',
  shippingMessages.ShipmentCreated,
);
export const ShipmentDeliveredEvent = defineEvent(
  'shipping.shipment.delivered',
  'ecommerce.shipping.v1.ShipmentDelivered',
  shippingMessages.ShipmentDelivered,
);
export const ShipmentShippedEvent = defineEvent(
  'shipping.shipment.shipped',
  'ecommerce.shipping.v1.ShipmentShipped',
  shippingMessages.ShipmentShipped,
);
export const ShipmentTrackingUpdatedEvent = defineEvent(
  'shipping.shipment.tracking_updated',
  'ecommerce.shipping.v1.ShipmentTrackingUpdated',
  shippingMessages.ShipmentTrackingUpdated,
);

// user
export const UserProfileCreatedEvent = defineEvent(
  'user.profile.created',
  'ecommerce.user.v1.UserProfileCreated',
  userMessages.UserProfileCreated,
);
