import { Migration } from '@mikro-orm/migrations';

/**
 * product_db: the eight tables of docs/database/product_db.md. Hand-written SQL (generated columns, GIN and
 * partial indexes); every statement is `IF NOT EXISTS`, so running it again is harmless.
 * `reviews.user_id` is an auth user: cross-service, indexed, no foreign key.
 */
export class Migration20261127120000_create_product_tables extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE TABLE IF NOT EXISTS products (
      id uuid NOT NULL,
      sku text NOT NULL,
      name text NOT NULL,
      slug text NOT NULL,
      description text,
      short_description text,
      price numeric(12,2) NOT NULL,
      compare_at_price numeric(12,2),
      cost_price numeric(12,2),
      currency char(3) NOT NULL,
      status text NOT NULL DEFAULT 'draft',
      is_visible boolean NOT NULL DEFAULT true,
      stock_status text NOT NULL DEFAULT 'in_stock',
      weight numeric(10,3),
      length numeric(10,2),
      width numeric(10,2),
      height numeric(10,2),
      meta_title text,
      meta_description text,
      attributes jsonb NOT NULL DEFAULT '{}',
      search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(name, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(sku, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(short_description, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(description, '')), 'C')
      ) STORED,
      rating_avg numeric(3,2) NOT NULL DEFAULT 0,
      rating_count integer NOT NULL DEFAULT 0,
      published_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT products_pkey PRIMARY KEY (id),
      CONSTRAINT products_sku_unique UNIQUE (sku),
      CONSTRAINT products_slug_unique UNIQUE (slug),
      CONSTRAINT products_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      CONSTRAINT products_status_check CHECK (status IN ('draft', 'active', 'archived')),
      CONSTRAINT products_stock_status_check CHECK (stock_status IN ('in_stock', 'low_stock', 'out_of_stock', 'backorder')),
      CONSTRAINT products_price_check CHECK (price >= 0),
      CONSTRAINT products_compare_at_price_check CHECK (compare_at_price >= 0),
      CONSTRAINT products_cost_price_check CHECK (cost_price >= 0),
      CONSTRAINT products_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
      CONSTRAINT products_dimensions_check CHECK (weight >= 0 AND length >= 0 AND width >= 0 AND height >= 0),
      CONSTRAINT products_attributes_check CHECK (jsonb_typeof(attributes) = 'object'),
      CONSTRAINT products_rating_avg_check CHECK (rating_avg BETWEEN 0 AND 5),
      CONSTRAINT products_rating_count_check CHECK (rating_count >= 0)
    )`);
    this.addSql("COMMENT ON COLUMN products.weight IS 'kilograms'");
    this.addSql("COMMENT ON COLUMN products.length IS 'centimetres (also width, height)'");
    this.addSql(
      'CREATE INDEX IF NOT EXISTS products_search_vector_idx ON products USING gin (search_vector)',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS products_attributes_idx ON products USING gin (attributes jsonb_path_ops)',
    );
    // Storefront listings: published products, newest first or by price.
    this.addSql(
      `CREATE INDEX IF NOT EXISTS products_listing_created_at_idx ON products (created_at DESC, id)
         WHERE status = 'active' AND is_visible`,
    );
    this.addSql(
      `CREATE INDEX IF NOT EXISTS products_listing_price_idx ON products (price, id)
         WHERE status = 'active' AND is_visible`,
    );
    // Back-office listing by status.
    this.addSql(
      'CREATE INDEX IF NOT EXISTS products_status_updated_at_idx ON products (status, updated_at DESC)',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS categories (
      id uuid NOT NULL,
      name text NOT NULL,
      slug text NOT NULL,
      description text,
      parent_id uuid,
      level integer NOT NULL DEFAULT 0,
      sort_order integer NOT NULL DEFAULT 0,
      image_url text,
      is_active boolean NOT NULL DEFAULT true,
      path text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT categories_pkey PRIMARY KEY (id),
      CONSTRAINT categories_slug_unique UNIQUE (slug),
      CONSTRAINT categories_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES categories (id)
        ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED,
      CONSTRAINT categories_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      CONSTRAINT categories_level_check CHECK ((parent_id IS NULL AND level = 0) OR (parent_id IS NOT NULL AND level > 0)),
      CONSTRAINT categories_parent_id_check CHECK (parent_id <> id),
      CONSTRAINT categories_path_check CHECK (path LIKE '/%/')
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS categories_parent_id_idx ON categories (parent_id, sort_order)');
    this.addSql('CREATE INDEX IF NOT EXISTS categories_path_idx ON categories (path text_pattern_ops)');

    this.addSql(`CREATE TABLE IF NOT EXISTS product_categories (
      id uuid NOT NULL,
      product_id uuid NOT NULL,
      category_id uuid NOT NULL,
      sort_order integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT product_categories_pkey PRIMARY KEY (id),
      CONSTRAINT product_categories_product_id_category_id_unique UNIQUE (product_id, category_id),
      CONSTRAINT product_categories_product_id_fkey FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE,
      CONSTRAINT product_categories_category_id_fkey FOREIGN KEY (category_id) REFERENCES categories (id)
        ON DELETE CASCADE
    )`);
    this.addSql(
      'CREATE INDEX IF NOT EXISTS product_categories_category_id_idx ON product_categories (category_id, sort_order, product_id)',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS product_variants (
      id uuid NOT NULL,
      product_id uuid NOT NULL,
      sku text NOT NULL,
      name text NOT NULL,
      price numeric(12,2),
      compare_at_price numeric(12,2),
      currency char(3) NOT NULL,
      attributes jsonb NOT NULL DEFAULT '{}',
      image_url text,
      is_active boolean NOT NULL DEFAULT true,
      sort_order integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT product_variants_pkey PRIMARY KEY (id),
      CONSTRAINT product_variants_sku_unique UNIQUE (sku),
      CONSTRAINT product_variants_product_id_fkey FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE,
      CONSTRAINT product_variants_price_check CHECK (price >= 0),
      CONSTRAINT product_variants_compare_at_price_check CHECK (compare_at_price >= 0),
      CONSTRAINT product_variants_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
      CONSTRAINT product_variants_attributes_check CHECK (jsonb_typeof(attributes) = 'object')
    )`);
    this.addSql(
      'CREATE INDEX IF NOT EXISTS product_variants_product_id_idx ON product_variants (product_id, sort_order)',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS product_images (
      id uuid NOT NULL,
      product_id uuid NOT NULL,
      url text NOT NULL,
      alt_text text,
      sort_order integer NOT NULL DEFAULT 0,
      is_primary boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT product_images_pkey PRIMARY KEY (id),
      CONSTRAINT product_images_product_id_fkey FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
    )`);
    this.addSql(
      'CREATE INDEX IF NOT EXISTS product_images_product_id_idx ON product_images (product_id, sort_order)',
    );
    this.addSql(
      'CREATE UNIQUE INDEX IF NOT EXISTS product_images_product_id_primary_unique ON product_images (product_id) WHERE is_primary',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS inventory (
      id uuid NOT NULL,
      product_id uuid NOT NULL,
      variant_id uuid NOT NULL,
      location text NOT NULL DEFAULT 'default',
      quantity integer NOT NULL DEFAULT 0,
      reserved_quantity integer NOT NULL DEFAULT 0,
      available_quantity integer GENERATED ALWAYS AS (quantity - reserved_quantity) STORED,
      low_stock_threshold integer NOT NULL DEFAULT 0,
      last_restocked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT inventory_pkey PRIMARY KEY (id),
      CONSTRAINT inventory_variant_id_location_unique UNIQUE (variant_id, location),
      CONSTRAINT inventory_product_id_fkey FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE,
      CONSTRAINT inventory_variant_id_fkey FOREIGN KEY (variant_id) REFERENCES product_variants (id) ON DELETE CASCADE,
      CONSTRAINT inventory_reserved_quantity_check CHECK (reserved_quantity >= 0 AND reserved_quantity <= quantity),
      CONSTRAINT inventory_low_stock_threshold_check CHECK (low_stock_threshold >= 0)
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS inventory_product_id_idx ON inventory (product_id)');
    this.addSql(
      'CREATE INDEX IF NOT EXISTS inventory_low_stock_idx ON inventory (product_id) WHERE available_quantity <= low_stock_threshold',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS reviews (
      id uuid NOT NULL,
      product_id uuid NOT NULL,
      user_id uuid NOT NULL,
      order_id uuid,
      rating smallint NOT NULL,
      title text,
      comment text,
      is_verified_purchase boolean NOT NULL DEFAULT false,
      is_approved boolean NOT NULL DEFAULT false,
      helpful_count integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT reviews_pkey PRIMARY KEY (id),
      CONSTRAINT reviews_product_id_user_id_unique UNIQUE (product_id, user_id),
      CONSTRAINT reviews_product_id_fkey FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE,
      CONSTRAINT reviews_rating_check CHECK (rating BETWEEN 1 AND 5),
      CONSTRAINT reviews_helpful_count_check CHECK (helpful_count >= 0)
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS reviews_user_id_idx ON reviews (user_id)');
    this.addSql(
      'CREATE INDEX IF NOT EXISTS reviews_approved_idx ON reviews (product_id, created_at DESC) WHERE is_approved',
    );
    this.addSql(
      'CREATE INDEX IF NOT EXISTS reviews_pending_idx ON reviews (created_at) WHERE NOT is_approved',
    );

    this.addSql(`CREATE TABLE IF NOT EXISTS product_tags (
      id uuid NOT NULL,
      product_id uuid NOT NULL,
      tag text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT product_tags_pkey PRIMARY KEY (id),
      CONSTRAINT product_tags_product_id_tag_unique UNIQUE (product_id, tag),
      CONSTRAINT product_tags_product_id_fkey FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE,
      CONSTRAINT product_tags_tag_check CHECK (tag <> '')
    )`);
    this.addSql('CREATE INDEX IF NOT EXISTS product_tags_tag_idx ON product_tags (tag)');
  }

  override async down(): Promise<void> {
    this.addSql('DROP TABLE IF EXISTS product_tags');
    this.addSql('DROP TABLE IF EXISTS reviews');
    this.addSql('DROP TABLE IF EXISTS inventory');
    this.addSql('DROP TABLE IF EXISTS product_images');
    this.addSql('DROP TABLE IF EXISTS product_variants');
    this.addSql('DROP TABLE IF EXISTS product_categories');
    this.addSql('DROP TABLE IF EXISTS categories');
    this.addSql('DROP TABLE IF EXISTS products');
  }
}
