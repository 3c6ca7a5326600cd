import { Migration } from '@mikro-orm/migrations';

/**
 * The checkout saves its saga on the order row (twice an order, and the recovery's lease): those
 * updates now change no indexed column, and each page keeps room for them (fillfactor 70), so
 * PostgreSQL writes them in place as heap-only tuples instead of a new entry in each of the
 * table's dozen indexes. The recovery's scan of unfinished checkouts, which indexed the lease and
 * the step, finds them through `orders_pending_idx` instead: an order is pending exactly while its
 * checkout runs (only the checkout's end moves it on, in the transaction that ends the saga).
 */
export class Migration20261207120000_saga_saves_in_place extends Migration {
  override async up(): Promise<void> {
    this.addSql('DROP INDEX IF EXISTS orders_checkout_unfinished_idx');
    this.addSql('ALTER TABLE orders SET (fillfactor = 70)');
  }

  override async down(): Promise<void> {
    this.addSql('ALTER TABLE orders RESET (fillfactor)');
    this.addSql(
      "CREATE INDEX IF NOT EXISTS orders_checkout_unfinished_idx ON orders (checkout_lease_until) WHERE checkout_step <> 'done'",
    );
  }
}
