import { Migration } from '@mikro-orm/migrations';

/**
 * What the coupon and promotion RPCs need beyond the first schema:
 * - coupons exclude categories too (`excluded_categories`);
 * - a guest's use counts by lower-cased email: `coupon_usage` and `promotion_usage` hold either a
 *   user id or a guest email;
 * - a promotion may be limited to one currency (`promotions.currency`);
 * - `discount_reservations`: what an order reserved (coupon and promotions), one row per order id,
 *   the idempotency key of ReserveDiscountUsage and the state its redeem and release change.
 * Promotion rules are now written in one shape (`conditions.version` = 1, docs/database). Before
 * this change no RPC wrote promotions: the only rows are demo rows of the first shape, which the
 * pricing engine cannot read; they are removed (unless an order used one) and `make seed` loads
 * them again in the new shape. Every statement can run again harmlessly.
 */
export class Migration20261205120000_discount_usage_and_rules extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `ALTER TABLE coupons ADD COLUMN IF NOT EXISTS excluded_categories jsonb NOT NULL DEFAULT '[]'`,
    );
    this.addSql('ALTER TABLE coupons DROP CONSTRAINT IF EXISTS coupons_lists_check');
    this.addSql(`ALTER TABLE coupons ADD CONSTRAINT coupons_lists_check CHECK (
      jsonb_typeof(applicable_products) = 'array' AND jsonb_typeof(applicable_categories) = 'array'
      AND jsonb_typeof(excluded_products) = 'array' AND jsonb_typeof(excluded_categories) = 'array'
    )`);

    for (const table of ['coupon_usage', 'promotion_usage']) {
      this.addSql(`ALTER TABLE ${table} ALTER COLUMN user_id DROP NOT NULL`);
      this.addSql(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS guest_email text`);
      this.addSql(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${table}_customer_check`);
      this.addSql(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${table}_guest_email_check`);
      this.addSql(
        `ALTER TABLE ${table} ADD CONSTRAINT ${table}_customer_check CHECK ((user_id IS NULL) <> (guest_email IS NULL))`,
      );
      this.addSql(
        `ALTER TABLE ${table} ADD CONSTRAINT ${table}_guest_email_check CHECK (guest_email = lower(guest_email))`,
      );
    }
    // A guest's uses of one coupon, for its per-customer limit.
    this.addSql(
      `CREATE INDEX IF NOT EXISTS coupon_usage_coupon_id_guest_email_idx ON coupon_usage (coupon_id, guest_email)
         WHERE guest_email IS NOT NULL`,
    );

    this.addSql('ALTER TABLE promotions ADD COLUMN IF NOT EXISTS currency char(3)');
    this.addSql('ALTER TABLE promotions DROP CONSTRAINT IF EXISTS promotions_currency_check');
    this.addSql(
      `ALTER TABLE promotions ADD CONSTRAINT promotions_currency_check CHECK (currency ~ '^[A-Z]{3}$')`,
    );
    this.addSql(`DELETE FROM promotions p
      WHERE NOT EXISTS (SELECT 1 FROM promotion_usage u WHERE u.promotion_id = p.id)
        AND NOT EXISTS (SELECT 1 FROM promotion_rules r WHERE r.promotion_id = p.id AND r.conditions ? 'version')`);

    this.addSql(`CREATE TABLE IF NOT EXISTS discount_reservations (
      order_id uuid NOT NULL,
      status text NOT NULL,
      user_id uuid,
      guest_email text,
      currency char(3),
      coupon_id uuid,
      coupon_code text,
      coupon_discount numeric(12,2),
      promotions jsonb NOT NULL DEFAULT '[]',
      request_hash text NOT NULL,
      release_cause text,
      reserved_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      redeemed_at timestamptz,
      released_at timestamptz,
      CONSTRAINT discount_reservations_pkey PRIMARY KEY (order_id),
      CONSTRAINT discount_reservations_coupon_id_fkey FOREIGN KEY (coupon_id) REFERENCES coupons (id)
        ON DELETE RESTRICT,
      CONSTRAINT discount_reservations_status_check CHECK (status IN ('reserved', 'redeemed', 'released')),
      CONSTRAINT discount_reservations_release_cause_check CHECK (
        (status = 'released') = (release_cause IS NOT NULL)
        AND release_cause IN ('released', 'expired', 'released_before_reserved')
      ),
      CONSTRAINT discount_reservations_redeemed_at_check CHECK ((status = 'redeemed') = (redeemed_at IS NOT NULL)),
      CONSTRAINT discount_reservations_released_at_check CHECK ((status = 'released') = (released_at IS NOT NULL)),
      CONSTRAINT discount_reservations_customer_check CHECK (user_id IS NULL OR guest_email IS NULL),
      CONSTRAINT discount_reservations_guest_email_check CHECK (guest_email = lower(guest_email)),
      CONSTRAINT discount_reservations_coupon_check CHECK (
        (coupon_id IS NULL) = (coupon_code IS NULL) AND (coupon_id IS NULL) = (coupon_discount IS NULL)
      ),
      CONSTRAINT discount_reservations_coupon_discount_check CHECK (coupon_discount >= 0),
      CONSTRAINT discount_reservations_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
      CONSTRAINT discount_reservations_promotions_check CHECK (jsonb_typeof(promotions) = 'array')
    )`);
    // The expiry job's sweep: reservations still held, oldest deadline first.
    this.addSql(
      `CREATE INDEX IF NOT EXISTS discount_reservations_expiry_idx ON discount_reservations (expires_at)
         WHERE status = 'reserved'`,
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS discount_reservations_user_id_idx ON discount_reservations (user_id)',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS discount_reservations_coupon_id_idx ON discount_reservations (coupon_id)',
    );
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS discount_reservations');
    this.addSql('ALTER TABLE promotions DROP COLUMN currency');
    this.addSql('DROP INDEX IF EXISTS coupon_usage_coupon_id_guest_email_idx');
    for (const table of ['coupon_usage', 'promotion_usage']) {
      this.addSql(`DELETE FROM ${table} WHERE user_id IS NULL`);
      this.addSql(`ALTER TABLE ${table} DROP COLUMN guest_email`);
      this.addSql(`ALTER TABLE ${table} ALTER COLUMN user_id SET NOT NULL`);
    }
    this.addSql('ALTER TABLE coupons DROP CONSTRAINT coupons_lists_check');
    this.addSql('ALTER TABLE coupons DROP COLUMN excluded_categories');
    this.addSql(`ALTER TABLE coupons ADD CONSTRAINT coupons_lists_check CHECK (
      jsonb_typeof(applicable_products) = 'array' AND jsonb_typeof(applicable_categories) = 'array'
      AND jsonb_typeof(excluded_products) = 'array'
    )`);
  }
}
