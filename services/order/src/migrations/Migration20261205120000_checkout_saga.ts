import { Migration } from '@mikro-orm/migrations';

/**
 * The checkout saga lives on its order: the step to run next, the direction (forward, or
 * compensating after a refusal), what the completed steps produced, and the refusal that turned it
 * back. Saved after every step, so that a process killed halfway leaves what the recovery loop
 * needs to finish it. `checkout_lease_owner`/`checkout_lease_until` say which replica runs it (one
 * at a time); a lease past its time is free to take. `checkout_step` is 'done' once the order is
 * confirmed or cancelled. `prices_include_tax` records how the shop priced the order, which the
 * total's check needs.
 */
export class Migration20261205120000_checkout_saga extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE orders
      ADD COLUMN IF NOT EXISTS checkout_step text NOT NULL DEFAULT 'done',
      ADD COLUMN IF NOT EXISTS checkout_direction text NOT NULL DEFAULT 'forward',
      ADD COLUMN IF NOT EXISTS checkout_state jsonb NOT NULL DEFAULT '{}',
      ADD COLUMN IF NOT EXISTS checkout_failure jsonb,
      ADD COLUMN IF NOT EXISTS checkout_lease_owner text,
      ADD COLUMN IF NOT EXISTS checkout_lease_until timestamptz,
      ADD COLUMN IF NOT EXISTS checkout_suspended_reason text,
      ADD COLUMN IF NOT EXISTS prices_include_tax boolean NOT NULL DEFAULT false`);
    // With tax-inclusive prices the tax is part of the subtotal and shipping, not added to them.
    this.addSql('ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_total_amount_check');
    this.addSql(`ALTER TABLE orders ADD CONSTRAINT orders_total_amount_check CHECK (
      total_amount = subtotal + shipping_amount - discount_amount + CASE WHEN prices_include_tax THEN 0 ELSE tax_amount END
    )`);
    this.addSql(`ALTER TABLE orders
      DROP CONSTRAINT IF EXISTS orders_checkout_direction_check,
      DROP CONSTRAINT IF EXISTS orders_checkout_failure_check,
      DROP CONSTRAINT IF EXISTS orders_checkout_step_check,
      DROP CONSTRAINT IF EXISTS orders_checkout_lease_check,
      ADD CONSTRAINT orders_checkout_direction_check CHECK (checkout_direction IN ('forward', 'compensating')),
      ADD CONSTRAINT orders_checkout_failure_check CHECK (checkout_direction = 'forward' OR checkout_failure IS NOT NULL),
      ADD CONSTRAINT orders_checkout_step_check CHECK (checkout_step <> ''),
      ADD CONSTRAINT orders_checkout_lease_check CHECK (checkout_step = 'done' OR checkout_lease_until IS NOT NULL)`);
    // The recovery loop's scan: unfinished checkouts whose lease ran out, oldest lease first.
    this.addSql(
      "CREATE INDEX IF NOT EXISTS orders_checkout_unfinished_idx ON orders (checkout_lease_until) WHERE checkout_step <> 'done'",
    );
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_total_amount_check');
    this.addSql(
      'ALTER TABLE orders ADD CONSTRAINT orders_total_amount_check CHECK (total_amount = subtotal + tax_amount + shipping_amount - discount_amount)',
    );
    this.addSql('DROP INDEX IF EXISTS orders_checkout_unfinished_idx');
    this.addSql(`ALTER TABLE orders
      DROP CONSTRAINT IF EXISTS orders_checkout_lease_check,
      DROP CONSTRAINT IF EXISTS orders_checkout_step_check,
      DROP CONSTRAINT IF EXISTS orders_checkout_failure_check,
      DROP CONSTRAINT IF EXISTS orders_checkout_direction_check,
      DROP COLUMN IF EXISTS prices_include_tax,
      DROP COLUMN IF EXISTS checkout_suspended_reason,
      DROP COLUMN IF EXISTS checkout_lease_until,
      DROP COLUMN IF EXISTS checkout_lease_owner,
      DROP COLUMN IF EXISTS checkout_failure,
      DROP COLUMN IF EXISTS checkout_state,
      DROP COLUMN IF EXISTS checkout_direction,
      DROP COLUMN IF EXISTS checkout_step`);
  }
}
