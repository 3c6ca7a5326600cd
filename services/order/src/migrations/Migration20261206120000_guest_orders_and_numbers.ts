import { Migration } from '@mikro-orm/migrations';

/**
 * What the order reads and the checkout need beyond the first schema:
 * - guest orders: `user_id` nullable beside `guest_email`, exactly one of the two set;
 * - PlaceOrder's idempotency per customer or guest session: `idempotency_scope` ('user:<uuid>' or
 *   'guest:<session id>') and `request_hash` (the request the key was first used with); the key is
 *   unique per scope instead of per user;
 * - one live order per cart: a cart may be ordered again only once its order is cancelled;
 * - order numbers from a sequence (no row every checkout would queue on), shown with a check digit;
 * - `confirmed_at`, the shipping method's name as charged, each line's tax, and the recipient's
 *   first and last name on the address snapshot (the Address message has both).
 *
 * Every statement may run twice (IF NOT EXISTS, constraints dropped before they are added, updates
 * that only fill what is empty).
 */
export class Migration20261206120000_guest_orders_and_numbers extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE orders
      ADD COLUMN IF NOT EXISTS guest_email text,
      ADD COLUMN IF NOT EXISTS idempotency_scope text,
      ADD COLUMN IF NOT EXISTS request_hash text,
      ADD COLUMN IF NOT EXISTS confirmed_at timestamptz,
      ADD COLUMN IF NOT EXISTS shipping_method_name text`);
    this.addSql('ALTER TABLE orders ALTER COLUMN user_id DROP NOT NULL');
    // Orders written before this migration all belong to a customer; their request is unknown.
    this.addSql(
      "UPDATE orders SET idempotency_scope = 'user:' || user_id::text WHERE idempotency_scope IS NULL",
    );
    this.addSql("UPDATE orders SET request_hash = '' WHERE request_hash IS NULL");
    this.addSql(`ALTER TABLE orders
      ALTER COLUMN idempotency_scope SET NOT NULL,
      ALTER COLUMN request_hash SET NOT NULL`);
    this.addSql(`ALTER TABLE orders
      DROP CONSTRAINT IF EXISTS orders_customer_or_guest_check,
      DROP CONSTRAINT IF EXISTS orders_idempotency_scope_check,
      DROP CONSTRAINT IF EXISTS orders_confirmed_at_check,
      DROP CONSTRAINT IF EXISTS orders_user_id_idempotency_key_unique,
      DROP CONSTRAINT IF EXISTS orders_idempotency_scope_key_unique`);
    this.addSql(`ALTER TABLE orders
      ADD CONSTRAINT orders_customer_or_guest_check CHECK (
        (user_id IS NOT NULL AND guest_email IS NULL) OR (user_id IS NULL AND guest_email IS NOT NULL AND guest_email <> '')
      ),
      ADD CONSTRAINT orders_idempotency_scope_check CHECK (idempotency_scope ~ '^(user|guest):.'),
      ADD CONSTRAINT orders_confirmed_at_check CHECK (
        status NOT IN ('confirmed', 'processing', 'shipped', 'delivered', 'partially_refunded', 'refunded')
        OR confirmed_at IS NOT NULL
      ),
      ADD CONSTRAINT orders_idempotency_scope_key_unique UNIQUE (idempotency_scope, idempotency_key)`);
    // A second checkout of the same cart loses on this index (CART_ALREADY_ORDERED); a cancelled
    // order frees its cart.
    this.addSql(
      "CREATE UNIQUE INDEX IF NOT EXISTS orders_cart_id_live_unique ON orders (cart_id) WHERE status <> 'cancelled'",
    );
    // nextval() never waits for another transaction (and is never rolled back): numbers may skip,
    // never repeat.
    this.addSql('CREATE SEQUENCE IF NOT EXISTS order_number_seq AS bigint START 1000000');

    this.addSql(
      'ALTER TABLE order_items ADD COLUMN IF NOT EXISTS tax_amount numeric(12,2) NOT NULL DEFAULT 0',
    );
    this.addSql(`ALTER TABLE order_items
      DROP CONSTRAINT IF EXISTS order_items_tax_amount_check,
      ADD CONSTRAINT order_items_tax_amount_check CHECK (tax_amount >= 0)`);

    this.addSql(`ALTER TABLE shipping_addresses
      ADD COLUMN IF NOT EXISTS first_name text,
      ADD COLUMN IF NOT EXISTS last_name text`);
    this.addSql(
      "UPDATE shipping_addresses SET first_name = name, last_name = '' WHERE first_name IS NULL OR last_name IS NULL",
    );
    this.addSql(`ALTER TABLE shipping_addresses
      ALTER COLUMN first_name SET NOT NULL,
      ALTER COLUMN last_name SET NOT NULL`);
  }

  override async down(): Promise<void> {
    this.addSql(`ALTER TABLE shipping_addresses
      DROP COLUMN IF EXISTS last_name,
      DROP COLUMN IF EXISTS first_name`);
    this.addSql(`ALTER TABLE order_items
      DROP CONSTRAINT IF EXISTS order_items_tax_amount_check,
      DROP COLUMN IF EXISTS tax_amount`);
    this.addSql('DROP SEQUENCE IF EXISTS order_number_seq');
    this.addSql('DROP INDEX IF EXISTS orders_cart_id_live_unique');
    // The earlier schema cannot hold guest orders: reverting this migration deletes them (with their
    // lines, history, address and notes).
    this.addSql('DELETE FROM orders WHERE user_id IS NULL');
    this.addSql(`ALTER TABLE orders
      DROP CONSTRAINT IF EXISTS orders_idempotency_scope_key_unique,
      DROP CONSTRAINT IF EXISTS orders_confirmed_at_check,
      DROP CONSTRAINT IF EXISTS orders_idempotency_scope_check,
      DROP CONSTRAINT IF EXISTS orders_customer_or_guest_check,
      ADD CONSTRAINT orders_user_id_idempotency_key_unique UNIQUE (user_id, idempotency_key),
      ALTER COLUMN user_id SET NOT NULL,
      DROP COLUMN IF EXISTS shipping_method_name,
      DROP COLUMN IF EXISTS confirmed_at,
      DROP COLUMN IF EXISTS request_hash,
      DROP COLUMN IF EXISTS idempotency_scope,
      DROP COLUMN IF EXISTS guest_email`);
  }
}
