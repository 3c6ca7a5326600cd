/**
 * The email templates of every notification the platform sends, and the events that cause each.
 * Every event subject of proto/**\/events.proto is either here (it sends an email) or in
 * EVENTS_WITHOUT_EMAIL (it does not, and why); test/seed.test.ts fails on an event that is in
 * neither, so a new event gets a decision.
 *
 * Bodies use `{{placeholder}}`s; the variables list is read from them, so it cannot drift.
 */

export interface DemoEmailTemplate {
  /** The template's unique name, as the notification service looks it up. */
  name: string;
  /** Subjects of the events that send it. */
  events: string[];
  subject: string;
  /** The plain-text body; paragraphs separated by blank lines. The HTML body is made from it. */
  text: string;
}

export const DEMO_EMAIL_TEMPLATES: DemoEmailTemplate[] = [
  {
    name: 'email_verification',
    events: ['auth.email_verification.requested'],
    subject: 'Confirm your email address for {{store_name}}',
    text: `Hi {{first_name}},

Please confirm that {{email}} is your email address by opening this link:

{{verification_link}}

The link works once and expires on {{expires_at}}. If you did not create an account at {{store_name}}, you can ignore this email.`,
  },
  {
    name: 'welcome',
    events: ['auth.user.email_verified'],
    subject: 'Welcome to {{store_name}}',
    text: `Hi {{first_name}},

Your email address is confirmed and your account is ready. Browse the latest arrivals at {{store_url}}.

As a welcome, the code WELCOME10 takes 10% off your first order.`,
  },
  {
    name: 'password_reset',
    events: ['auth.password_reset.requested'],
    subject: 'Reset your {{store_name}} password',
    text: `Hi,

Someone asked to reset the password of the {{store_name}} account for {{email}}. To choose a new password, open this link:

{{reset_link}}

The link works once and expires at {{expires_at}}. If it was not you, ignore this email: your password stays as it is.`,
  },
  {
    name: 'account_deactivated',
    events: ['auth.user.deactivated'],
    subject: 'Your {{store_name}} account has been deactivated',
    text: `Hi {{first_name}},

Your {{store_name}} account has been deactivated and every session was signed out. If you think this is a mistake, reply to this email and our support team will look into it.`,
  },
  {
    name: 'account_reactivated',
    events: ['auth.user.reactivated'],
    subject: 'Your {{store_name}} account is active again',
    text: `Hi {{first_name}},

Your {{store_name}} account is active again: you can sign in as before.`,
  },
  {
    name: 'order_confirmed',
    events: ['order.order.confirmed'],
    subject: 'Order {{order_number}} confirmed',
    text: `Hi {{first_name}},

Thank you for your order! We have received your payment of {{order_total}} and are getting order {{order_number}} ready.

{{order_items}}

It will ship to:
{{shipping_address}}

We will email you again when it is on its way.`,
  },
  {
    name: 'order_cancelled',
    events: ['order.order.cancelled'],
    subject: 'Order {{order_number}} was cancelled',
    text: `Hi {{first_name}},

Order {{order_number}} was cancelled: {{reason}}.

Nothing was charged, or any amount taken is being returned to your payment method. You are welcome to place the order again at {{store_url}}.`,
  },
  {
    name: 'refund_issued',
    events: ['payment.payment.refunded'],
    subject: 'Your refund of {{amount}} is on its way',
    text: `Hi {{first_name}},

We have refunded {{amount}} for order {{order_number}} to your original payment method. Depending on your bank it can take 3 to 10 working days to appear.`,
  },
  {
    name: 'order_shipped',
    events: ['order.order.status_changed'],
    subject: 'Order {{order_number}} is on its way',
    text: `Hi {{first_name}},

Good news: order {{order_number}} has left our warehouse and is on its way to you.

Follow it from your order page: {{order_url}}.`,
  },
  {
    name: 'order_delivered',
    events: ['order.order.status_changed'],
    subject: 'Order {{order_number}} was delivered',
    text: `Hi {{first_name}},

Order {{order_number}} was delivered. We hope you enjoy it!

Something not right? You can return items within 30 days from your order page: {{order_url}}.`,
  },
  {
    name: 'return_approved',
    events: ['return.return.approved'],
    subject: 'Your return for order {{order_number}} is approved: {{rma_number}}',
    text: `Hi {{first_name}},

Your return for order {{order_number}} is approved. Write the return number {{rma_number}} on the parcel and send it before {{expires_at}}; the return address and instructions are on your return page: {{return_url}}.`,
  },
  {
    name: 'return_rejected',
    events: ['return.return.rejected'],
    subject: 'Your return for order {{order_number}} was not accepted',
    text: `Hi {{first_name}},

We could not accept your return for order {{order_number}}: {{reason}}

If you have a question, reply to this email.`,
  },
  {
    name: 'return_received',
    events: ['return.return.received'],
    subject: 'We received your return for order {{order_number}}',
    text: `Hi {{first_name}},

Your returned items for order {{order_number}} have arrived and been checked. We will confirm your refund when it has been sent.`,
  },
  {
    name: 'cart_abandoned',
    events: ['cart.cart.abandoned'],
    subject: 'You left something in your cart',
    text: `Hi {{first_name}},

You still have {{item_count}} item(s) in your cart at {{store_name}}. They are waiting for you here:

{{cart_url}}

Prices and availability may change, so do not wait too long.`,
  },
  {
    name: 'low_stock_alert',
    events: ['product.inventory.low_stock'],
    subject: 'Low stock: {{sku}} at {{location}}',
    text: `Stock of variant {{sku}} (product {{product_id}}) at {{location}} is down to {{available_quantity}} units, at or below the threshold of {{low_stock_threshold}}.

Restock it from the catalog admin.`,
  },
];

/** Events that send no email, and why (each one decided, see the file comment). */
export const EVENTS_WITHOUT_EMAIL: Record<string, string> = {
  'auth.user.registered':
    'the verification email comes from auth.email_verification.requested (the event that carries the link)',
  'user.profile.created': 'internal: the customer hears from email_verification',
  'product.product.created': 'catalog change, for other services',
  'product.product.updated': 'catalog change, for other services (wishlists refresh from it)',
  'product.product.archived': 'catalog change, for other services',
  'product.category.updated': 'category tree change, for other services (product caches drop listings)',
  'cart.cart.converted': 'the customer hears from order_confirmed',
  'order.order.delivered':
    'the customer hears from order_delivered (order.order.status_changed to DELIVERED, which guests get too)',
  'shipping.shipment.created':
    'the customer hears from order_shipped (order.order.status_changed to SHIPPED)',
  'shipping.shipment.delivered':
    'the customer hears from order_delivered (order.order.status_changed to DELIVERED)',
  'shipping.shipment.shipped':
    'the customer hears from order_shipped once the whole order has left (order.order.status_changed to SHIPPED)',
  'shipping.shipment.tracking_updated':
    'carrier news, shown by GetMyShipmentTracking; the customer hears from order_shipped and order_delivered',
  'discount.coupon.redeemed': 'bookkeeping; the order confirmation shows the discount',
  'discount.promotion.applied': 'bookkeeping; the order confirmation shows the discount',
  'discount.coupon.usage_limit_reached': 'for the shop (a dashboard, an alert), not for customers',
  'return.refund.requested': 'an instruction to the payment service; the customer hears from refund_issued',
  'return.return.requested':
    'the customer asked in the shop, which shows it at once; staff see it in ListReturns',
  'return.return.refunded': 'the customer hears from refund_issued (payment.payment.refunded)',
  'notification.notification.sent': 'the notification service reporting its own work',
  'payment.payment.authorized': 'a hold during checkout; the customer hears from order_confirmed',
  'payment.payment.failed': 'the checkout answers the shopper at once with the decline',
  'payment.payment.voided': 'a hold released by a cancelled checkout; no money moved',
  'payment.payment.captured':
    'the receipt is order_confirmed, sent on order.order.confirmed once the capture confirmed the order',
};

/** The placeholders a text uses, in order of first use. */
export function placeholdersOf(...texts: string[]): string[] {
  return [...new Set(texts.flatMap((text) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!)))];
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The HTML body: the text's paragraphs in a plain, mail-client-safe layout. */
export function htmlBodyOf(template: DemoEmailTemplate): string {
  const paragraphs = template.text
    .split(/\n{2,}/)
    .map((p) => `<p style="margin:0 0 16px">${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n      ');
  return `<!doctype html>
<html>
  <body style="margin:0;padding:24px;background:#f6f6f6;font-family:Helvetica,Arial,sans-serif;color:#222">
    <div style="max-width:560px;margin:0 auto;background:#fff;padding:32px;border-radius:8px">
      ${paragraphs}
      <p style="margin:24px 0 0;color:#888;font-size:12px">{{store_name}}</p>
    </div>
  </body>
</html>`;
}
