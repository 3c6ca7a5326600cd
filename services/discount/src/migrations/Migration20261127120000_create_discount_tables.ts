import { Migration } from '@mikro-orm/migrations';

/**
 * discount_db: the five tables of docs/database/discount_db.md. Hand-written SQL (expression unique index,
 * partial indexes); every statement is `IF NOT EXISTS`, so running it again is harmless.
 * `user_id` (auth) and `order_id` (order) are cross-service: indexed, no foreign key.
 */
export class Migration20261127120000_create_discount_tables extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE IF NOT EXISTS coupons (
      id uuid NOT NULL,
      code text NOT NULL,
      name text NOT NULL,
      description text,
      type text NOT NULL,
      discount_value numeric(12,2) NOT NULL DEFAULT 0,
      minimum_amount numeric(12,2),
      maximum_discount numeric(12,2),
      currency char(3) NOT NULL,
      usage_limit integer,
      usage_count integer NOT NULL DEFAULT 0,
      usage_limit_per_user integer,
      starts_at timestamptz,
      ends_at timestamptz,
      is_active boolean NOT NULL DEFAULT true,
      applicable_products jsonb NOT NULL DEFAULT '[]',
      applicable_categories jsonb NOT NULL DEFAULT '[]',
      excluded_products jsonb NOT NULL DEFAULT '[]',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT coupons_pkey PRIMARY KEY (id),
      CONSTRAINT coupons_code_check CHECK (code ~ '^[A-Za-z0-9_-]{1,64}$'),
      CONSTRAINT coupons_type_check CHECK (type IN ('percentage', 'fixed_amount', 'free_shipping')),
      CONSTRAINT coupons_discount_value_check CHECK (
        discount_value >= 0 AND (type <> 'percentage' OR discount_value <= 100)
      ),
      CONSTRAINT coupons_amounts_check CHECK (minimum_amount >= 0 AND maximum_discount >= 0),
      CONSTRAINT coupons_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
      CONSTRAINT coupons_usage_limit_check CHECK (usage_limit > 0 AND usage_limit_per_user > 0),
      CONSTRAINT coupons_usage_count_check CHECK (usage_count >= 0 AND (usage_limit IS NULL OR usage_count <= usage_limit)),
      CONSTRAINT coupons_dates_check CHECK (ends_at > starts_at),
      CONSTRAINT coupons_lists_check CHECK (
        jsonb_typeof(applicable_products) = 'array' AND jsonb_typeof(applicable_categories) = 'array'
        AND jsonb_typeof(excluded_products) = 'array'
      )
    )`);
    this.addSql(
      "COMMENT ON COLUMN coupons.discount_value IS 'fixed_amount: money; percentage: percent (15.00 = 15 %)'",
    );
    this.addSql('CREATE UNIQUE INDEX IF NOT EXISTS coupons_code_unique ON coupons (upper(code))');
    this.addSql('CREATE INDEX IF NOT EXISTS coupons_active_idx ON coupons (ends_at) WHERE is_active');

    this.addSql(`CREATE TABLE IF NOT EXISTS coupon_usage (
      id uuid NOT NULL,
      coupon_id uuid NOT NULL,
      user_id uuid NOT NULL,
      order_id uuid NOT NULL,
      discount_amount numeric(12,2) NOT NULL,
      currency char(3) NOT NULL,
      status text NOT NULL DEFAULT 'reserved',
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT coupon_usage_pkey PRIMARY KEY (id),
      CONSTRAINT coupon_usage_coupon_id_order_id_unique UNIQUE (coupon_id, order_id),
      CONSTRAINT coupon_usage_coupon_id_fkey FOREIGN KEY (coupon_id) REFERENCES coupons (id) ON DELETE RESTRICT,
      CONSTRAINT coupon_usage_status_check CHECK (status IN ('reserved', 'redeemed', 'released')),
      CONSTRAINT coupon_usage_used_at_check CHECK (status <> 'redeemed' OR used_at IS NOT NULL),
      CONSTRAINT coupon_usage_discount_amount_check CHECK (discount_amount >= 0),
      CONSTRAINT coupon_usage_currency_check CHECK (currency ~ '^[A-Z]{3}$')
    )`);
    // Per-user limits count a user's uses of one coupon.
    this.addSql(
      'CREATE INDEX IF NOT EXISTS coupon_usage_coupon_id_user_id_idx ON coupon_usage (coupon_id, user_id)',
    );
    this.addSql('CREATE INDEX IF NOT EXISTS coupon_usage_user_id_idx ON coupon_usage (user_id)');
    this.addSql('CREATE INDEX IF NOT EXISTS coupon_usage_order_id_idx ON coupon_usage (order_id)');

    this.addSql(`CREATE TABLE IF NOT EXISTS promotions (
      id uuid NOT NULL,
      name text NOT NULL,
      description text,
      type text NOT NULL,
      status text NOT NULL DEFAULT 'draft',
      starts_at timestamptz,
      ends_at timestamptz,
      is_active boolean NOT NULL DEFAULT true,
      stackable boolean NOT NULL DEFAULT false,
      priority integer NOT NULL DEFAULT 0,
      configuration jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT promotions_pkey PRIMARY KEY (id),
      CONSTRAINT promotions_type_check CHECK (
        type IN ('buy_x_get_y', 'bundle', 'volume_discount', 'percentage_off', 'fixed_amount_off', 'free_shipping')
      ),
      CONSTRAINT promotions_status_check CHECK (status IN ('draft', 'active', 'paused', 'expired')),
      CONSTRAINT promotions_dates_check CHECK (ends_at > starts_at),
      CONSTRAINT promotions_configuration_check CHECK (jsonb_typeof(configuration) = 'object')
    )`);
    // Checkout loads the running promotions in the order they apply.
    this.addSql(
      `CREATE INDEX IF NOT EXISTS promotions_running_idx ON promotions (priority DESC, id)
         WHERE is_active AND status = 'active'`,
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS promotion_rules (
      id uuid NOT NULL,
      promotion_id uuid NOT NULL,
      rule_type text NOT NULL,
      conditions jsonb NOT NULL DEFAULT '{}',
      actions jsonb NOT NULL DEFAULT '{}',
      priority integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT promotion_rules_pkey PRIMARY KEY (id),
      CONSTRAINT promotion_rules_promotion_id_fkey FOREIGN KEY (promotion_id) REFERENCES promotions (id)
        ON DELETE CASCADE,
      CONSTRAINT promotion_rules_rule_type_check CHECK (
        rule_type IN ('buy_quantity', 'spend_amount', 'product_match', 'category_match')
      )
    )`);
    this.addSql(
      'CREATE INDEX IF NOT EXISTS promotion_rules_promotion_id_idx ON promotion_rules (promotion_id, priority DESC)',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS promotion_usage (
      id uuid NOT NULL,
      promotion_id uuid NOT NULL,
      user_id uuid NOT NULL,
      order_id uuid NOT NULL,
      discount_amount numeric(12,2) NOT NULL,
      currency char(3) NOT NULL,
      used_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT promotion_usage_pkey PRIMARY KEY (id),
      CONSTRAINT promotion_usage_promotion_id_order_id_unique UNIQUE (promotion_id, order_id),
      CONSTRAINT promotion_usage_promotion_id_fkey FOREIGN KEY (promotion_id) REFERENCES promotions (id)
        ON DELETE RESTRICT,
      CONSTRAINT promotion_usage_discount_amount_check CHECK (discount_amount >= 0),
      CONSTRAINT promotion_usage_currency_check CHECK (currency ~ '^[A-Z]{3}$')
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS promotion_usage_user_id_idx ON promotion_usage (user_id)');
    this.addSql('CREATE INDEX IF NOT EXISTS promotion_usage_order_id_idx ON promotion_usage (order_id)');
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS promotion_usage');
    this.addSql('DROP TABLE IF EXISTS promotion_rules');
    this.addSql('DROP TABLE IF EXISTS promotions');
    this.addSql('DROP TABLE IF EXISTS coupon_usage');
    this.addSql('DROP TABLE IF EXISTS coupons');
  }
}
