import { Migration } from '@mikro-orm/migrations';

const SHIPMENT_STATUSES = `'pending', 'in_transit', 'out_for_delivery', 'delivered', 'exception'`;

/**
 * shipping_db: the six tables of docs/database/shipping_db.md. Hand-written SQL (deferred foreign key on the carrier
 * code, partial indexes); every statement is `IF NOT EXISTS`, so running it again is harmless.
 * `shipments.order_id` is the order service's: indexed, no foreign key. Weights are kilograms.
 */
export class Migration20261127120000_create_shipping_tables extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE IF NOT EXISTS carriers (
      id uuid NOT NULL,
      name text NOT NULL,
      code text NOT NULL,
      api_endpoint text,
      api_key text,
      is_active boolean NOT NULL DEFAULT true,
      configuration jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT carriers_pkey PRIMARY KEY (id),
      CONSTRAINT carriers_code_unique UNIQUE (code),
      CONSTRAINT carriers_code_check CHECK (code ~ '^[a-z0-9_]+$')
    )`);

    this.addSql(`CREATE TABLE IF NOT EXISTS shipping_zones (
      id uuid NOT NULL,
      name text NOT NULL,
      type text NOT NULL,
      countries jsonb NOT NULL DEFAULT '[]',
      states jsonb NOT NULL DEFAULT '[]',
      postal_codes jsonb NOT NULL DEFAULT '[]',
      priority integer NOT NULL DEFAULT 0,
      is_active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT shipping_zones_pkey PRIMARY KEY (id),
      CONSTRAINT shipping_zones_type_check CHECK (type IN ('country', 'state', 'postal_code', 'custom')),
      CONSTRAINT shipping_zones_lists_check CHECK (
        jsonb_typeof(countries) = 'array' AND jsonb_typeof(states) = 'array' AND jsonb_typeof(postal_codes) = 'array'
      )
    )`);
    this.addSql(
      'CREATE INDEX IF NOT EXISTS shipping_zones_countries_idx ON shipping_zones USING gin (countries)',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS shipping_methods (
      id uuid NOT NULL,
      zone_id uuid NOT NULL,
      name text NOT NULL,
      carrier_code text NOT NULL,
      service_type text NOT NULL,
      base_price numeric(12,2) NOT NULL,
      price_per_kg numeric(12,2) NOT NULL DEFAULT 0,
      price_per_item numeric(12,2) NOT NULL DEFAULT 0,
      currency char(3) NOT NULL,
      estimated_days integer NOT NULL,
      is_active boolean NOT NULL DEFAULT true,
      configuration jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT shipping_methods_pkey PRIMARY KEY (id),
      CONSTRAINT shipping_methods_zone_id_fkey FOREIGN KEY (zone_id) REFERENCES shipping_zones (id) ON DELETE CASCADE,
      CONSTRAINT shipping_methods_carrier_code_fkey FOREIGN KEY (carrier_code) REFERENCES carriers (code)
        ON UPDATE CASCADE ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED,
      CONSTRAINT shipping_methods_service_type_check CHECK (service_type IN ('standard', 'express', 'overnight')),
      CONSTRAINT shipping_methods_prices_check CHECK (base_price >= 0 AND price_per_kg >= 0 AND price_per_item >= 0),
      CONSTRAINT shipping_methods_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
      CONSTRAINT shipping_methods_estimated_days_check CHECK (estimated_days >= 0)
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS shipping_methods_zone_id_idx ON shipping_methods (zone_id)');
    this.addSql(
      'CREATE INDEX IF NOT EXISTS shipping_methods_carrier_code_idx ON shipping_methods (carrier_code)',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS shipping_rates (
      id uuid NOT NULL,
      method_id uuid NOT NULL,
      min_weight numeric(10,3) NOT NULL DEFAULT 0,
      max_weight numeric(10,3),
      min_amount numeric(12,2) NOT NULL DEFAULT 0,
      max_amount numeric(12,2),
      rate numeric(12,2) NOT NULL,
      currency char(3) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT shipping_rates_pkey PRIMARY KEY (id),
      CONSTRAINT shipping_rates_method_id_fkey FOREIGN KEY (method_id) REFERENCES shipping_methods (id)
        ON DELETE CASCADE,
      CONSTRAINT shipping_rates_weight_check CHECK (min_weight >= 0 AND (max_weight IS NULL OR max_weight > min_weight)),
      CONSTRAINT shipping_rates_amount_check CHECK (min_amount >= 0 AND (max_amount IS NULL OR max_amount > min_amount)),
      CONSTRAINT shipping_rates_rate_check CHECK (rate >= 0),
      CONSTRAINT shipping_rates_currency_check CHECK (currency ~ '^[A-Z]{3}$')
    )`);
    this.addSql(
      'CREATE INDEX IF NOT EXISTS shipping_rates_method_id_idx ON shipping_rates (method_id, min_weight, min_amount)',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS shipments (
      id uuid NOT NULL,
      order_id uuid NOT NULL,
      carrier_id uuid NOT NULL,
      method_id uuid,
      tracking_number text,
      status text NOT NULL DEFAULT 'pending',
      weight numeric(10,3),
      cost numeric(12,2) NOT NULL DEFAULT 0,
      currency char(3) NOT NULL,
      origin_address jsonb NOT NULL,
      destination_address jsonb NOT NULL,
      shipped_at timestamptz,
      estimated_delivery_date timestamptz,
      delivered_at timestamptz,
      carrier_response jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT shipments_pkey PRIMARY KEY (id),
      CONSTRAINT shipments_tracking_number_unique UNIQUE (tracking_number),
      CONSTRAINT shipments_carrier_id_fkey FOREIGN KEY (carrier_id) REFERENCES carriers (id) ON DELETE RESTRICT,
      CONSTRAINT shipments_method_id_fkey FOREIGN KEY (method_id) REFERENCES shipping_methods (id) ON DELETE RESTRICT,
      CONSTRAINT shipments_status_check CHECK (status IN (${SHIPMENT_STATUSES})),
      CONSTRAINT shipments_delivered_at_check CHECK (status <> 'delivered' OR delivered_at IS NOT NULL),
      CONSTRAINT shipments_weight_check CHECK (weight > 0),
      CONSTRAINT shipments_cost_check CHECK (cost >= 0),
      CONSTRAINT shipments_currency_check CHECK (currency ~ '^[A-Z]{3}$')
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS shipments_order_id_idx ON shipments (order_id)');
    this.addSql('CREATE INDEX IF NOT EXISTS shipments_carrier_id_idx ON shipments (carrier_id)');
    this.addSql(
      'CREATE INDEX IF NOT EXISTS shipments_method_id_idx ON shipments (method_id) WHERE method_id IS NOT NULL',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS shipments_status_created_at_idx ON shipments (status, created_at DESC)',
    );
    // The tracking poller visits parcels still on their way.
    this.addSql(
      `CREATE INDEX IF NOT EXISTS shipments_in_flight_idx ON shipments (carrier_id, updated_at)
         WHERE status IN ('in_transit', 'out_for_delivery')`,
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS shipment_tracking (
      id uuid NOT NULL,
      shipment_id uuid NOT NULL,
      status text NOT NULL,
      location text,
      description text,
      occurred_at timestamptz NOT NULL,
      carrier_data jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT shipment_tracking_pkey PRIMARY KEY (id),
      CONSTRAINT shipment_tracking_shipment_id_fkey FOREIGN KEY (shipment_id) REFERENCES shipments (id)
        ON DELETE CASCADE,
      CONSTRAINT shipment_tracking_status_check CHECK (status IN (${SHIPMENT_STATUSES}))
    )`);
    this.addSql(
      'CREATE INDEX IF NOT EXISTS shipment_tracking_shipment_id_occurred_at_idx ON shipment_tracking (shipment_id, occurred_at)',
    );
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS shipment_tracking');
    this.addSql('DROP TABLE IF EXISTS shipments');
    this.addSql('DROP TABLE IF EXISTS shipping_rates');
    this.addSql('DROP TABLE IF EXISTS shipping_methods');
    this.addSql('DROP TABLE IF EXISTS shipping_zones');
    this.addSql('DROP TABLE IF EXISTS carriers');
  }
}
