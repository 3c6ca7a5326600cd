import { Migration } from '@mikro-orm/migrations';

/**
 * user_db: the six tables of docs/database/user_db.md. Hand-written SQL (partial unique indexes for the
 * defaults); every statement is `IF NOT EXISTS`, so running it again is harmless. `user_id`
 * columns are auth users and `product_id` a product: cross-service, indexed, no foreign key.
 */
export class Migration20261127120000_create_user_tables extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE IF NOT EXISTS user_profiles (
      id uuid NOT NULL,
      user_id uuid NOT NULL,
      email text NOT NULL,
      first_name text,
      last_name text,
      phone text,
      avatar_url text,
      date_of_birth date,
      preferred_currency char(3) NOT NULL DEFAULT 'USD',
      preferred_language text NOT NULL DEFAULT 'en',
      newsletter_subscribed boolean NOT NULL DEFAULT false,
      marketing_opt_in boolean NOT NULL DEFAULT false,
      is_active boolean NOT NULL DEFAULT true,
      email_verified boolean NOT NULL DEFAULT false,
      last_login_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT user_profiles_pkey PRIMARY KEY (id),
      CONSTRAINT user_profiles_user_id_unique UNIQUE (user_id),
      CONSTRAINT user_profiles_preferred_currency_check CHECK (preferred_currency ~ '^[A-Z]{3}$'),
      CONSTRAINT user_profiles_preferred_language_check CHECK (preferred_language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
      CONSTRAINT user_profiles_date_of_birth_check CHECK (date_of_birth IS NULL OR date_of_birth >= DATE '1900-01-01')
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS user_profiles_email_idx ON user_profiles (lower(email))');

    this.addSql(`CREATE TABLE IF NOT EXISTS addresses (
      id uuid NOT NULL,
      user_id uuid NOT NULL,
      type text NOT NULL,
      is_default boolean NOT NULL DEFAULT false,
      first_name text NOT NULL,
      last_name text NOT NULL,
      company text,
      line1 text NOT NULL,
      line2 text,
      city text NOT NULL,
      state text,
      postal_code text,
      country char(2) NOT NULL,
      phone text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT addresses_pkey PRIMARY KEY (id),
      CONSTRAINT addresses_type_check CHECK (type IN ('shipping', 'billing', 'both')),
      CONSTRAINT addresses_country_check CHECK (country ~ '^[A-Z]{2}$')
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS addresses_user_id_idx ON addresses (user_id, created_at)');
    this.addSql(
      'CREATE UNIQUE INDEX IF NOT EXISTS addresses_user_id_type_default_unique ON addresses (user_id, type) WHERE is_default',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS payment_methods (
      id uuid NOT NULL,
      user_id uuid NOT NULL,
      type text NOT NULL,
      is_default boolean NOT NULL DEFAULT false,
      brand text,
      last4 char(4),
      expiry_month smallint,
      expiry_year smallint,
      cardholder_name text,
      billing_address_id uuid,
      payment_method_ref uuid NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT payment_methods_pkey PRIMARY KEY (id),
      CONSTRAINT payment_methods_payment_method_ref_unique UNIQUE (payment_method_ref),
      CONSTRAINT payment_methods_billing_address_id_fkey FOREIGN KEY (billing_address_id) REFERENCES addresses (id)
        ON DELETE SET NULL,
      CONSTRAINT payment_methods_type_check CHECK (type IN ('card', 'bank_account', 'paypal', 'wallet')),
      CONSTRAINT payment_methods_last4_check CHECK (last4 ~ '^[0-9]{4}$'),
      CONSTRAINT payment_methods_expiry_month_check CHECK (expiry_month BETWEEN 1 AND 12),
      CONSTRAINT payment_methods_expiry_year_check CHECK (expiry_year BETWEEN 2000 AND 2100)
    )`);
    this.addSql(
      'CREATE INDEX IF NOT EXISTS payment_methods_user_id_idx ON payment_methods (user_id, created_at)',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS payment_methods_billing_address_id_idx ON payment_methods (billing_address_id)',
    );
    this.addSql(
      'CREATE UNIQUE INDEX IF NOT EXISTS payment_methods_user_id_default_unique ON payment_methods (user_id) WHERE is_default',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS user_preferences (
      id uuid NOT NULL,
      user_id uuid NOT NULL,
      key text NOT NULL,
      value jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT user_preferences_pkey PRIMARY KEY (id),
      CONSTRAINT user_preferences_user_id_key_unique UNIQUE (user_id, key),
      CONSTRAINT user_preferences_key_check CHECK (key <> '')
    )`);

    this.addSql(`CREATE TABLE IF NOT EXISTS wishlist_items (
      id uuid NOT NULL,
      user_id uuid NOT NULL,
      product_id uuid NOT NULL,
      product_name text NOT NULL,
      product_image_url text,
      product_price numeric(12,2) NOT NULL,
      currency char(3) NOT NULL,
      notes text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT wishlist_items_pkey PRIMARY KEY (id),
      CONSTRAINT wishlist_items_user_id_product_id_unique UNIQUE (user_id, product_id),
      CONSTRAINT wishlist_items_product_price_check CHECK (product_price >= 0),
      CONSTRAINT wishlist_items_currency_check CHECK (currency ~ '^[A-Z]{3}$')
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS wishlist_items_product_id_idx ON wishlist_items (product_id)');
    this.addSql(
      'CREATE INDEX IF NOT EXISTS wishlist_items_user_id_created_at_idx ON wishlist_items (user_id, created_at DESC)',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS event_logs (
      id uuid NOT NULL,
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      source text NOT NULL,
      payload jsonb NOT NULL,
      processed boolean NOT NULL DEFAULT false,
      processed_at timestamptz,
      error text,
      attempts integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT event_logs_pkey PRIMARY KEY (id),
      CONSTRAINT event_logs_event_id_unique UNIQUE (event_id),
      CONSTRAINT event_logs_processed_at_check CHECK (NOT processed OR processed_at IS NOT NULL),
      CONSTRAINT event_logs_attempts_check CHECK (attempts >= 0)
    )`);
    this.addSql(
      'CREATE INDEX IF NOT EXISTS event_logs_event_type_idx ON event_logs (event_type, created_at)',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS event_logs_unprocessed_idx ON event_logs (created_at) WHERE NOT processed',
    );
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS event_logs');
    this.addSql('DROP TABLE IF EXISTS wishlist_items');
    this.addSql('DROP TABLE IF EXISTS user_preferences');
    this.addSql('DROP TABLE IF EXISTS payment_methods');
    this.addSql('DROP TABLE IF EXISTS addresses');
    this.addSql('DROP TABLE IF EXISTS user_profiles');
  }
}
