/**
 * The notifications the service sends, each rendered by the template of the same name. A type
 * names the variables its events provide (a template of that name may use only these), whether
 * it is transactional (always emailed, whatever the preferences: the customer needs it to use
 * the account or to know what happened to their money), and whether it is also shown in the app.
 */
export interface NotificationType {
  name: string;
  /** A customer's (preferences apply) or the shop's own (sent to NOTIFICATION_ADMIN_EMAILS). */
  audience: 'customer' | 'shop';
  transactional: boolean;
  /** Also written as an in-app notification when the customer has an account. */
  inApp: boolean;
  variables: readonly string[];
}

/** Every template may use these. */
export const COMMON_VARIABLES = ['store_name', 'store_url'] as const;

const types: NotificationType[] = [
  {
    name: 'email_verification',
    audience: 'customer',
    transactional: true,
    // The link is a secret: never shown anywhere but the mail.
    inApp: false,
    variables: ['first_name', 'email', 'verification_link', 'expires_at'],
  },
  {
    name: 'password_reset',
    audience: 'customer',
    transactional: true,
    inApp: false,
    variables: ['first_name', 'email', 'reset_link', 'expires_at'],
  },
  {
    name: 'welcome',
    audience: 'customer',
    transactional: false,
    inApp: false,
    variables: ['first_name', 'email'],
  },
  {
    name: 'account_deactivated',
    audience: 'customer',
    // A security notice: the customer must learn their account was closed, whatever they chose.
    transactional: true,
    inApp: false,
    variables: ['first_name'],
  },
  {
    name: 'account_reactivated',
    audience: 'customer',
    transactional: true,
    inApp: false,
    variables: ['first_name'],
  },
  {
    name: 'order_confirmed',
    audience: 'customer',
    transactional: true,
    inApp: true,
    variables: ['first_name', 'order_number', 'order_total', 'order_items', 'shipping_address', 'order_url'],
  },
  {
    name: 'order_shipped',
    audience: 'customer',
    transactional: false,
    inApp: true,
    variables: ['first_name', 'order_number', 'order_url'],
  },
  {
    name: 'order_delivered',
    audience: 'customer',
    transactional: false,
    inApp: true,
    variables: ['first_name', 'order_number', 'order_url'],
  },
  {
    name: 'order_cancelled',
    audience: 'customer',
    transactional: true,
    inApp: true,
    variables: ['first_name', 'order_number', 'reason'],
  },
  {
    name: 'refund_issued',
    audience: 'customer',
    transactional: true,
    inApp: true,
    variables: ['first_name', 'order_number', 'amount'],
  },
  {
    // The customer needs the RMA number to send the parcel.
    name: 'return_approved',
    audience: 'customer',
    transactional: true,
    inApp: true,
    variables: ['first_name', 'order_number', 'rma_number', 'expires_at', 'return_url'],
  },
  {
    name: 'return_rejected',
    audience: 'customer',
    transactional: true,
    inApp: true,
    variables: ['first_name', 'order_number', 'reason'],
  },
  {
    name: 'return_received',
    audience: 'customer',
    transactional: false,
    inApp: true,
    variables: ['first_name', 'order_number'],
  },
  {
    name: 'cart_abandoned',
    audience: 'customer',
    transactional: false,
    inApp: true,
    variables: ['first_name', 'item_count', 'cart_total', 'cart_url'],
  },
  {
    name: 'low_stock_alert',
    audience: 'shop',
    transactional: false,
    inApp: false,
    variables: ['product_id', 'sku', 'location', 'available_quantity', 'low_stock_threshold'],
  },
];

export const NOTIFICATION_TYPES: ReadonlyMap<string, NotificationType> = new Map(
  types.map((t) => [t.name, t]),
);

/** The types a customer has preferences for, by name. */
export const CUSTOMER_TYPES: readonly NotificationType[] = types
  .filter((t) => t.audience === 'customer')
  .sort((a, b) => a.name.localeCompare(b.name));

export function notificationTypeNamed(name: string): NotificationType {
  const type = NOTIFICATION_TYPES.get(name);
  if (!type) throw new Error(`unknown notification type ${name}`);
  return type;
}

/** Every variable a template named after `type` may use. */
export function variablesOf(type: NotificationType): string[] {
  return [...COMMON_VARIABLES, ...type.variables];
}
