import { Migration } from '@mikro-orm/migrations';

/**
 * cart_db: the two tables of docs/database/cart_db.md. Hand-written SQL (partial unique indexes for "one active
 * cart"); every statement is `IF NOT EXISTS`, so running it again is harmless. `user_id` is an auth
 * user, `product_id`/`variant_id` the product service's, `converted_order_id` an order:
 * cross-service, indexed, no foreign key.
 */
export class Migration20261127120000_create_cart_tables extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE IF NOT EXISTS carts (
      id uuid NOT NULL,
      user_id uuid,
      session_id text,
      status text NOT NULL DEFAULT 'active',
      currency char(3) NOT NULL,
      coupon_code text,
      subtotal numeric(12,2) NOT NULL DEFAULT 0,
      discount_amount numeric(12,2) NOT NULL DEFAULT 0,
      total_amount numeric(12,2) NOT NULL DEFAULT 0,
      item_count integer NOT NULL DEFAULT 0,
      expires_at timestamptz,
      converted_order_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT carts_pkey PRIMARY KEY (id),
      CONSTRAINT carts_owner_check CHECK (user_id IS NOT NULL OR session_id IS NOT NULL),
      CONSTRAINT carts_status_check CHECK (status IN ('active', 'merged', 'converted', 'abandoned')),
      CONSTRAINT carts_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
      CONSTRAINT carts_totals_check CHECK (subtotal >= 0 AND discount_amount >= 0 AND total_amount >= 0),
      CONSTRAINT carts_item_count_check CHECK (item_count >= 0),
      CONSTRAINT carts_converted_order_id_check CHECK (status <> 'converted' OR converted_order_id IS NOT NULL)
    )`);
    this.addSql(
      "CREATE UNIQUE INDEX IF NOT EXISTS carts_user_id_active_unique ON carts (user_id) WHERE status = 'active'",
    );
    this.addSql('CREATE INDEX IF NOT EXISTS carts_user_id_idx ON carts (user_id, updated_at DESC)');
    this.addSql(
      'CREATE INDEX IF NOT EXISTS carts_session_id_idx ON carts (session_id) WHERE session_id IS NOT NULL',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS carts_converted_order_id_idx ON carts (converted_order_id) WHERE converted_order_id IS NOT NULL',
    );
    // The sweep that marks stale carts abandoned.
    this.addSql(
      "CREATE INDEX IF NOT EXISTS carts_expires_at_idx ON carts (expires_at) WHERE status = 'active'",
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS cart_items (
      id uuid NOT NULL,
      cart_id uuid NOT NULL,
      product_id uuid NOT NULL,
      variant_id uuid NOT NULL,
      product_name text NOT NULL,
      product_sku text NOT NULL,
      product_image_url text,
      unit_price numeric(12,2) NOT NULL,
      currency char(3) NOT NULL,
      quantity integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT cart_items_pkey PRIMARY KEY (id),
      CONSTRAINT cart_items_cart_id_variant_id_unique UNIQUE (cart_id, variant_id),
      CONSTRAINT cart_items_cart_id_fkey FOREIGN KEY (cart_id) REFERENCES carts (id) ON DELETE CASCADE,
      CONSTRAINT cart_items_quantity_check CHECK (quantity > 0),
      CONSTRAINT cart_items_unit_price_check CHECK (unit_price >= 0),
      CONSTRAINT cart_items_currency_check CHECK (currency ~ '^[A-Z]{3}$')
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS cart_items_product_id_idx ON cart_items (product_id)');
    this.addSql('CREATE INDEX IF NOT EXISTS cart_items_variant_id_idx ON cart_items (variant_id)');
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS cart_items');
    this.addSql('DROP TABLE IF EXISTS carts');
  }
}
