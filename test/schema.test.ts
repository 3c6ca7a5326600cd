import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import type { Constructor } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import type { Migration } from '@mikro-orm/migrations';
import {
  migrateDatabase,
  openDatabase,
  type Database,
  type DatabaseDefinition,
  type EntityManager,
} from '../lib/db/orm.js';
import { INFRA_MIGRATIONS } from '../lib/db/infra-migrations.js';
import { ensureMonthlyPartitions, monthlyPartitionName, PARTITION_SCHEMA } from '../lib/db/partitions.js';
import { newId } from '../lib/ids.js';
import { authDatabase } from '../services/auth/src/database.js';
import { authPartitionedTables } from '../services/auth/src/partitions.js';
import { SecurityAuditLog, User } from '../services/auth/src/entities/index.js';
import { userDatabase } from '../services/user/src/database.js';
import { userPartitionedTables } from '../services/user/src/partitions.js';
import { Address, PaymentMethod, UserProfile, WishlistItem } from '../services/user/src/entities/index.js';
import { productDatabase } from '../services/product/src/database.js';
import { productPartitionedTables } from '../services/product/src/partitions.js';
import { Inventory, Product, ProductVariant } from '../services/product/src/entities/index.js';
import { cartDatabase } from '../services/cart/src/database.js';
import { cartPartitionedTables } from '../services/cart/src/partitions.js';
import { Cart, CartItem } from '../services/cart/src/entities/index.js';
import { orderDatabase } from '../services/order/src/database.js';
import { orderPartitionedTables } from '../services/order/src/partitions.js';
import {
  Order,
  OrderItem,
  OrderStatusHistory,
  ShippingAddress,
} from '../services/order/src/entities/index.js';
import { paymentDatabase } from '../services/payment/src/database.js';
import { paymentPartitionedTables } from '../services/payment/src/partitions.js';
import {
  Payment,
  PaymentMethod as VaultedMethod,
  PaymentTransaction,
  Refund as PaymentRefund,
} from '../services/payment/src/entities/index.js';
import { notificationDatabase } from '../services/notification/src/database.js';
import { notificationPartitionedTables } from '../services/notification/src/partitions.js';
import { EmailTemplate, Notification, NotificationLog } from '../services/notification/src/entities/index.js';
import { discountDatabase } from '../services/discount/src/database.js';
import { discountPartitionedTables } from '../services/discount/src/partitions.js';
import { Coupon, CouponUsage, Promotion, PromotionRule } from '../services/discount/src/entities/index.js';
import { shippingDatabase } from '../services/shipping/src/database.js';
import { shippingPartitionedTables } from '../services/shipping/src/partitions.js';
import {
  Carrier,
  Shipment,
  ShipmentTracking,
  ShippingMethod,
  ShippingRate,
  ShippingZone,
} from '../services/shipping/src/entities/index.js';
import { returnDatabase } from '../services/return/src/database.js';
import { returnPartitionedTables } from '../services/return/src/partitions.js';
import {
  Refund as ReturnRefund,
  ReturnAuthorization,
  ReturnItem,
  ReturnRequest,
  ReturnTracking,
} from '../services/return/src/entities/index.js';

/*
 * The data contract of the ten databases (docs/database/), checked against what the migrations actually build: every
 * service database is migrated (embedded PGlite in a temporary folder, or scratch databases on the
 * server at DATABASE_URL, dropped afterwards) and inspected through information_schema/pg_catalog.
 * Every rule (CHECK, unique, foreign key, NOT NULL) is exercised with a row that breaks it, after a
 * valid row went into every table.
 */

type Row = Record<string, unknown>;
type Fixture = Record<string, string>;
type SqlState = '23502' | '23503' | '23505' | '23514';
type Insert = (table: string, row: Row) => Promise<void>;

interface Rule<F> {
  /** What the row breaks, as the test title says it. */
  rule: string;
  code: SqlState;
  /** The constraint or unique index named in the error (for 23502: the column). */
  name: string;
  row(f: F): [table: string, row: Row];
}

interface ServiceSchema<F extends Fixture = Fixture> {
  service: string;
  definition: DatabaseDefinition;
  /** Exactly the domain tables of the contract. */
  tables: string[];
  partitioned: readonly string[];
  /** Inserts one valid row into every table; returns the ids and values the rules refer to. */
  seed(insert: Insert): Promise<F>;
  rules: Rule<F>[];
  /** Columns of the cross-service reference map (docs/database/cross-service-references.md): table.column. */
  crossServiceRefs: string[];
  /** Inserts and reads back through the ORM (partitioned tables, custom types, generated columns). */
  orm(em: EntityManager, f: F): Promise<void>;
  /** For each partitioned table, a valid row created at the given time. */
  dated?(f: F, createdAt: Date): [table: string, row: Row][];
}

/** Types a service's schema by what its seed returns. */
const schemaOf = <F extends Fixture>(schema: ServiceSchema<F>): ServiceSchema<F> => schema;

let counter = 0;
const unique = (prefix: string) => `${prefix}${++counter}`;
const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000);

// ---------------------------------------------------------------------------------------------
// auth_db

const auth = {
  user: (o: Row = {}): Row => ({
    id: newId(),
    email: `${unique('user')}@example.com`,
    password_hash: 'argon2id$x',
    ...o,
  }),
  role: (o: Row = {}): Row => ({
    id: newId(),
    name: unique('role'),
    permissions: '{orders:read,orders:write}',
    ...o,
  }),
  token: (userId: string, o: Row = {}): Row => ({
    id: newId(),
    user_id: userId,
    token_hash: unique('hash'),
    expires_at: hoursFromNow(1),
    ...o,
  }),
};

const authSchema = schemaOf({
  service: 'auth',
  definition: authDatabase,
  tables: [
    'email_verification_tokens',
    'password_reset_tokens',
    'refresh_tokens',
    'roles',
    'security_audit_logs',
    'user_roles',
    'users',
  ],
  partitioned: authPartitionedTables,
  async seed(insert) {
    const user = auth.user({ email: 'taken@example.com' });
    const role = auth.role({ name: 'customer' });
    const refresh = auth.token(String(user.id), { family_id: newId(), token_hash: 'refresh-hash' });
    await insert('users', user);
    await insert('roles', role);
    await insert('user_roles', { id: newId(), user_id: user.id, role_id: role.id });
    await insert('refresh_tokens', refresh);
    await insert('password_reset_tokens', auth.token(String(user.id), { token_hash: 'reset-hash' }));
    await insert(
      'email_verification_tokens',
      auth.token(String(user.id), { token_hash: 'verify-hash', email: 'taken@example.com' }),
    );
    await insert('security_audit_logs', {
      id: newId(),
      user_id: user.id,
      action: 'register',
      metadata: '{}',
    });
    return { userId: String(user.id), roleId: String(role.id), refreshId: String(refresh.id) };
  },
  rules: [
    {
      rule: 'email unique, case-insensitively',
      code: '23505',
      name: 'users_email_unique',
      row: () => ['users', auth.user({ email: 'Taken@Example.COM' })],
    },
    {
      rule: 'email required',
      code: '23502',
      name: 'email',
      row: () => ['users', auth.user({ email: null })],
    },
    {
      rule: 'failed login attempts ≥ 0',
      code: '23514',
      name: 'users_failed_login_attempts_check',
      row: () => ['users', auth.user({ failed_login_attempts: -1 })],
    },
    {
      rule: 'role name unique',
      code: '23505',
      name: 'roles_name_unique',
      row: () => ['roles', auth.role({ name: 'customer' })],
    },
    {
      rule: 'a role is assigned once per user',
      code: '23505',
      name: 'user_roles_user_id_role_id_unique',
      row: (f) => ['user_roles', { id: newId(), user_id: f.userId, role_id: f.roleId }],
    },
    {
      rule: 'user_roles.role_id → roles',
      code: '23503',
      name: 'user_roles_role_id_fkey',
      row: (f) => ['user_roles', { id: newId(), user_id: f.userId, role_id: newId() }],
    },
    {
      rule: 'refresh token hash unique',
      code: '23505',
      name: 'refresh_tokens_token_hash_unique',
      row: (f) => [
        'refresh_tokens',
        auth.token(f.userId, { family_id: newId(), token_hash: 'refresh-hash' }),
      ],
    },
    {
      rule: 'refresh_tokens.user_id → users',
      code: '23503',
      name: 'refresh_tokens_user_id_fkey',
      row: () => ['refresh_tokens', auth.token(newId(), { family_id: newId() })],
    },
    {
      rule: 'a revoked refresh token says when',
      code: '23514',
      name: 'refresh_tokens_revoked_at_check',
      row: (f) => ['refresh_tokens', auth.token(f.userId, { family_id: newId(), revoked: true })],
    },
    {
      rule: 'reset token hash unique',
      code: '23505',
      name: 'password_reset_tokens_token_hash_unique',
      row: (f) => ['password_reset_tokens', auth.token(f.userId, { token_hash: 'reset-hash' })],
    },
    {
      rule: 'a used reset token says when',
      code: '23514',
      name: 'password_reset_tokens_used_at_check',
      row: (f) => ['password_reset_tokens', auth.token(f.userId, { used: true })],
    },
    {
      rule: 'verification token hash unique',
      code: '23505',
      name: 'email_verification_tokens_token_hash_unique',
      row: (f) => [
        'email_verification_tokens',
        auth.token(f.userId, { token_hash: 'verify-hash', email: 'a@b.co' }),
      ],
    },
    {
      rule: 'email_verification_tokens.user_id → users',
      code: '23503',
      name: 'email_verification_tokens_user_id_fkey',
      row: () => ['email_verification_tokens', auth.token(newId(), { email: 'a@b.co' })],
    },
    {
      rule: 'audit action required',
      code: '23502',
      name: 'action',
      row: () => ['security_audit_logs', { id: newId(), action: null }],
    },
  ],
  crossServiceRefs: [],
  dated: (f, createdAt) => [
    [
      'security_audit_logs',
      { id: newId(), user_id: f.userId, action: 'login_failed', created_at: createdAt },
    ],
  ],
  async orm(em) {
    const user = em.create(User, { email: `${unique('orm')}@example.com`, passwordHash: 'x' });
    expect(user.id, 'em.create fills the id').to.be.a('string');
    const nextYear = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 5, 15));
    em.create(SecurityAuditLog, { userId: user.id, action: 'register', metadata: { via: 'orm' } });
    em.create(SecurityAuditLog, { userId: user.id, action: 'login_succeeded', createdAt: nextYear });
    await em.flush();
    em.clear();
    const logs = await em.find(SecurityAuditLog, { userId: user.id }, { orderBy: { createdAt: 'asc' } });
    expect(logs.map((log) => log.action)).to.deep.equal(['register', 'login_succeeded']);
    expect(logs[0]?.metadata).to.deep.equal({ via: 'orm' });
    expect(logs[1]?.createdAt.toISOString()).to.equal(nextYear.toISOString());
    const found = await em.findOneOrFail(User, user.id);
    expect(found.emailVerified).to.equal(false);
  },
});

// ---------------------------------------------------------------------------------------------
// user_db

const usr = {
  profile: (o: Row = {}): Row => ({
    id: newId(),
    user_id: newId(),
    email: `${unique('p')}@example.com`,
    ...o,
  }),
  address: (userId: string, o: Row = {}): Row => ({
    id: newId(),
    user_id: userId,
    type: 'shipping',
    first_name: 'Ada',
    last_name: 'Lovelace',
    line1: '1 Main St',
    city: 'London',
    country: 'GB',
    ...o,
  }),
  paymentMethod: (userId: string, o: Row = {}): Row => ({
    id: newId(),
    user_id: userId,
    type: 'card',
    brand: 'visa',
    last4: '4242',
    expiry_month: 12,
    expiry_year: 2030,
    payment_method_ref: newId(),
    ...o,
  }),
  wish: (userId: string, o: Row = {}): Row => ({
    id: newId(),
    user_id: userId,
    product_id: newId(),
    product_name: 'Mug',
    product_price: '9.99',
    currency: 'EUR',
    ...o,
  }),
};

const userSchema = schemaOf({
  service: 'user',
  definition: userDatabase,
  tables: [
    'addresses',
    'event_logs',
    'payment_methods',
    'user_preferences',
    'user_profiles',
    'wishlist_items',
  ],
  partitioned: userPartitionedTables,
  async seed(insert) {
    const profile = usr.profile();
    const userId = String(profile.user_id);
    const address = usr.address(userId, { is_default: true });
    const pm = usr.paymentMethod(userId, { is_default: true, billing_address_id: address.id });
    const wish = usr.wish(userId);
    await insert('user_profiles', profile);
    await insert('addresses', address);
    // A default billing address beside the default shipping one is fine.
    await insert('addresses', usr.address(userId, { type: 'billing', is_default: true }));
    await insert('payment_methods', pm);
    await insert('user_preferences', { id: newId(), user_id: userId, key: 'theme', value: '"dark"' });
    await insert('wishlist_items', wish);
    const eventId = newId();
    await insert('event_logs', {
      id: newId(),
      consumer: 'user-from-auth',
      event_id: eventId,
      event_type: 't',
      source: 'auth',
      payload: '{}',
    });
    return {
      userId,
      pmRef: String(pm.payment_method_ref),
      productId: String(wish.product_id),
      eventId,
    };
  },
  rules: [
    {
      rule: 'one profile per auth user',
      code: '23505',
      name: 'user_profiles_user_id_unique',
      row: (f) => ['user_profiles', usr.profile({ user_id: f.userId })],
    },
    {
      rule: 'preferred currency is ISO 4217',
      code: '23514',
      name: 'user_profiles_preferred_currency_check',
      row: () => ['user_profiles', usr.profile({ preferred_currency: 'eur' })],
    },
    {
      rule: 'address type is shipping, billing or both',
      code: '23514',
      name: 'addresses_type_check',
      row: (f) => ['addresses', usr.address(f.userId, { type: 'home' })],
    },
    {
      rule: 'address country is ISO 3166-1 alpha-2',
      code: '23514',
      name: 'addresses_country_check',
      row: (f) => ['addresses', usr.address(f.userId, { country: 'gb' })],
    },
    {
      rule: 'one default address per user and type',
      code: '23505',
      name: 'addresses_user_id_type_default_unique',
      row: (f) => ['addresses', usr.address(f.userId, { is_default: true })],
    },
    {
      rule: 'address line1 required',
      code: '23502',
      name: 'line1',
      row: (f) => ['addresses', usr.address(f.userId, { line1: null })],
    },
    {
      rule: 'one default payment method per user',
      code: '23505',
      name: 'payment_methods_user_id_default_unique',
      row: (f) => ['payment_methods', usr.paymentMethod(f.userId, { is_default: true })],
    },
    {
      rule: 'payment_methods.billing_address_id → addresses',
      code: '23503',
      name: 'payment_methods_billing_address_id_fkey',
      row: (f) => ['payment_methods', usr.paymentMethod(f.userId, { billing_address_id: newId() })],
    },
    {
      rule: 'one wallet entry per vaulted method',
      code: '23505',
      name: 'payment_methods_payment_method_ref_unique',
      row: (f) => ['payment_methods', usr.paymentMethod(f.userId, { payment_method_ref: f.pmRef })],
    },
    {
      rule: 'expiry month 1–12',
      code: '23514',
      name: 'payment_methods_expiry_month_check',
      row: (f) => ['payment_methods', usr.paymentMethod(f.userId, { expiry_month: 13 })],
    },
    {
      rule: 'last4 is four digits',
      code: '23514',
      name: 'payment_methods_last4_check',
      row: (f) => ['payment_methods', usr.paymentMethod(f.userId, { last4: '42a2' })],
    },
    {
      rule: 'one value per user and preference key',
      code: '23505',
      name: 'user_preferences_user_id_key_unique',
      row: (f) => ['user_preferences', { id: newId(), user_id: f.userId, key: 'theme', value: '"light"' }],
    },
    {
      rule: 'a product is on a wishlist once',
      code: '23505',
      name: 'wishlist_items_user_id_product_id_unique',
      row: (f) => ['wishlist_items', usr.wish(f.userId, { product_id: f.productId })],
    },
    {
      rule: 'wishlist price ≥ 0',
      code: '23514',
      name: 'wishlist_items_product_price_check',
      row: (f) => ['wishlist_items', usr.wish(f.userId, { product_price: '-1.00' })],
    },
    {
      rule: 'wishlist price has a currency',
      code: '23502',
      name: 'currency',
      row: (f) => ['wishlist_items', usr.wish(f.userId, { currency: null })],
    },
    {
      rule: 'an event is logged once per consumer',
      code: '23505',
      name: 'event_logs_consumer_event_id_unique',
      row: (f) => [
        'event_logs',
        {
          id: newId(),
          consumer: 'user-from-auth',
          event_id: f.eventId,
          event_type: 't',
          source: 'auth',
          payload: '{}',
        },
      ],
    },
  ],
  crossServiceRefs: [
    'user_profiles.user_id',
    'wishlist_items.product_id',
    'payment_methods.payment_method_ref',
    'addresses.user_id',
    'payment_methods.user_id',
    'user_preferences.user_id',
    'wishlist_items.user_id',
  ],
  async orm(em) {
    const userId = newId();
    const profile = em.create(UserProfile, { userId, email: 'orm@example.com', dateOfBirth: '1990-05-17' });
    const address = em.create(Address, {
      userId,
      type: 'both',
      firstName: 'A',
      lastName: 'B',
      line1: 'l',
      city: 'c',
      country: 'FR',
    });
    em.create(PaymentMethod, { userId, type: 'card', billingAddress: address, paymentMethodRef: newId() });
    em.create(WishlistItem, {
      userId,
      productId: newId(),
      productName: 'Mug',
      productPrice: 1999,
      currency: 'EUR',
    });
    await em.flush();
    em.clear();
    const again = await em.findOneOrFail(UserProfile, profile.id);
    expect(again.dateOfBirth).to.equal('1990-05-17');
    expect(again.preferredCurrency).to.equal('USD');
    const wish = await em.findOneOrFail(WishlistItem, { userId });
    expect(wish.productPrice).to.equal(1999);
    const [raw] = await em.execute<{ product_price: string }[]>(
      'SELECT product_price::text AS product_price FROM wishlist_items WHERE id = ?',
      [wish.id],
    );
    expect(raw?.product_price).to.equal('19.99');
    expect(await em.count(WishlistItem, { productPrice: { $gte: 1999 }, userId })).to.equal(1);
    const pm = await em.findOneOrFail(PaymentMethod, { userId }, { populate: ['billingAddress'] });
    expect(pm.billingAddress?.$.country).to.equal('FR');
  },
});

// ---------------------------------------------------------------------------------------------
// product_db

const prod = {
  product: (o: Row = {}): Row => {
    const sku = unique('SKU-');
    return { id: newId(), sku, name: 'Mug', slug: sku.toLowerCase(), price: '12.50', currency: 'EUR', ...o };
  },
  category: (o: Row = {}): Row => {
    const id = newId();
    return { id, name: 'Kitchen', slug: unique('kitchen-'), path: `/${id}/`, ...o };
  },
  variant: (productId: string, o: Row = {}): Row => ({
    id: newId(),
    product_id: productId,
    sku: unique('VAR-'),
    name: 'Default',
    currency: 'EUR',
    ...o,
  }),
  stock: (productId: string, variantId: string, o: Row = {}): Row => ({
    id: newId(),
    product_id: productId,
    variant_id: variantId,
    location: unique('shelf-'),
    quantity: 10,
    reserved_quantity: 0,
    ...o,
  }),
  review: (productId: string, o: Row = {}): Row => ({
    id: newId(),
    product_id: productId,
    user_id: newId(),
    rating: 4,
    ...o,
  }),
};

const productSchema = schemaOf({
  service: 'product',
  definition: productDatabase,
  tables: [
    'categories',
    'inventory',
    'product_categories',
    'product_images',
    'product_tags',
    'product_variants',
    'products',
    'reviews',
  ],
  partitioned: productPartitionedTables,
  async seed(insert) {
    const product = prod.product({ sku: 'MUG-1', slug: 'mug-one' });
    const productId = String(product.id);
    const root = prod.category({ slug: 'kitchen' });
    const child = prod.category({ parent_id: root.id, level: 1, path: `/${String(root.id)}/x/` });
    const variant = prod.variant(productId, { sku: 'MUG-1-RED', price: '13.00' });
    const review = prod.review(productId);
    await insert('products', product);
    await insert('categories', root);
    await insert('categories', child);
    await insert('product_categories', { id: newId(), product_id: productId, category_id: root.id });
    await insert('product_variants', variant);
    await insert('product_images', {
      id: newId(),
      product_id: productId,
      url: 'https://img/1',
      is_primary: true,
    });
    await insert('product_images', { id: newId(), product_id: productId, url: 'https://img/2' });
    await insert(
      'inventory',
      prod.stock(productId, String(variant.id), { location: 'main', reserved_quantity: 10 }),
    );
    await insert('reviews', review);
    await insert('product_tags', { id: newId(), product_id: productId, tag: 'kitchen' });
    return {
      productId,
      variantId: String(variant.id),
      categoryId: String(root.id),
      reviewer: String(review.user_id),
    };
  },
  rules: [
    {
      rule: 'product SKU unique',
      code: '23505',
      name: 'products_sku_unique',
      row: () => ['products', prod.product({ sku: 'MUG-1' })],
    },
    {
      rule: 'product slug unique',
      code: '23505',
      name: 'products_slug_unique',
      row: () => ['products', prod.product({ slug: 'mug-one' })],
    },
    {
      rule: 'slug is lower-case words joined by dashes',
      code: '23514',
      name: 'products_slug_check',
      row: () => ['products', prod.product({ slug: 'Mug One' })],
    },
    {
      rule: 'product status is draft, active or archived',
      code: '23514',
      name: 'products_status_check',
      row: () => ['products', prod.product({ status: 'deleted' })],
    },
    {
      rule: 'price ≥ 0',
      code: '23514',
      name: 'products_price_check',
      row: () => ['products', prod.product({ price: '-0.01' })],
    },
    {
      rule: 'price required',
      code: '23502',
      name: 'price',
      row: () => ['products', prod.product({ price: null })],
    },
    {
      rule: 'currency is ISO 4217',
      code: '23514',
      name: 'products_currency_check',
      row: () => ['products', prod.product({ currency: 'EU1' })],
    },
    {
      rule: 'rating average 0–5',
      code: '23514',
      name: 'products_rating_avg_check',
      row: () => ['products', prod.product({ rating_avg: '5.01' })],
    },
    {
      rule: 'category slug unique',
      code: '23505',
      name: 'categories_slug_unique',
      row: () => ['categories', prod.category({ slug: 'kitchen' })],
    },
    {
      rule: 'categories.parent_id → categories',
      code: '23503',
      name: 'categories_parent_id_fkey',
      row: () => ['categories', prod.category({ parent_id: newId(), level: 1 })],
    },
    {
      rule: 'a root category is level 0',
      code: '23514',
      name: 'categories_level_check',
      row: () => ['categories', prod.category({ level: 2 })],
    },
    {
      rule: 'a product is in a category once',
      code: '23505',
      name: 'product_categories_product_id_category_id_unique',
      row: (f) => ['product_categories', { id: newId(), product_id: f.productId, category_id: f.categoryId }],
    },
    {
      rule: 'product_categories.category_id → categories',
      code: '23503',
      name: 'product_categories_category_id_fkey',
      row: (f) => ['product_categories', { id: newId(), product_id: f.productId, category_id: newId() }],
    },
    {
      rule: 'variant SKU unique',
      code: '23505',
      name: 'product_variants_sku_unique',
      row: (f) => ['product_variants', prod.variant(f.productId, { sku: 'MUG-1-RED' })],
    },
    {
      rule: 'product_variants.product_id → products',
      code: '23503',
      name: 'product_variants_product_id_fkey',
      row: () => ['product_variants', prod.variant(newId())],
    },
    {
      rule: 'one primary image per product',
      code: '23505',
      name: 'product_images_product_id_primary_unique',
      row: (f) => [
        'product_images',
        { id: newId(), product_id: f.productId, url: 'https://img/3', is_primary: true },
      ],
    },
    {
      rule: 'reserved ≤ quantity',
      code: '23514',
      name: 'inventory_reserved_quantity_check',
      row: (f) => ['inventory', prod.stock(f.productId, f.variantId, { quantity: 2, reserved_quantity: 3 })],
    },
    {
      rule: 'reserved ≥ 0',
      code: '23514',
      name: 'inventory_reserved_quantity_check',
      row: (f) => ['inventory', prod.stock(f.productId, f.variantId, { reserved_quantity: -1 })],
    },
    {
      rule: 'one stock row per variant and location',
      code: '23505',
      name: 'inventory_variant_id_location_unique',
      row: (f) => ['inventory', prod.stock(f.productId, f.variantId, { location: 'main' })],
    },
    {
      rule: 'inventory.variant_id → product_variants',
      code: '23503',
      name: 'inventory_variant_id_fkey',
      row: (f) => ['inventory', prod.stock(f.productId, newId())],
    },
    {
      rule: 'rating ≥ 1',
      code: '23514',
      name: 'reviews_rating_check',
      row: (f) => ['reviews', prod.review(f.productId, { rating: 0 })],
    },
    {
      rule: 'rating ≤ 5',
      code: '23514',
      name: 'reviews_rating_check',
      row: (f) => ['reviews', prod.review(f.productId, { rating: 6 })],
    },
    {
      rule: 'one review per product and user',
      code: '23505',
      name: 'reviews_product_id_user_id_unique',
      row: (f) => ['reviews', prod.review(f.productId, { user_id: f.reviewer })],
    },
    {
      rule: 'a tag is on a product once',
      code: '23505',
      name: 'product_tags_product_id_tag_unique',
      row: (f) => ['product_tags', { id: newId(), product_id: f.productId, tag: 'kitchen' }],
    },
  ],
  crossServiceRefs: ['reviews.user_id'],
  async orm(em) {
    const product = em.create(Product, {
      sku: unique('ORM-'),
      name: 'Blue teapot',
      slug: unique('blue-teapot-'),
      description: 'A teapot that pours',
      price: 123456,
      compareAtPrice: 150000,
      currency: 'EUR',
      status: 'active',
      weight: '1.250',
    });
    const variant = em.create(ProductVariant, {
      product,
      sku: unique('ORM-V-'),
      name: 'Blue',
      currency: 'EUR',
    });
    const stock = em.create(Inventory, { product, variant, quantity: 5, reservedQuantity: 2 });
    await em.flush();
    expect(stock.availableQuantity, 'generated column refreshed on insert').to.equal(3);
    stock.reservedQuantity = 5;
    await em.flush();
    expect(stock.availableQuantity, 'generated column refreshed on update').to.equal(0);
    em.clear();
    const found = await em.findOneOrFail(Product, product.id);
    expect([found.price, found.compareAtPrice, found.costPrice, found.weight]).to.deep.equal([
      123456,
      150000,
      null,
      '1.250',
    ]);
    const hits = await em.execute<{ id: string }[]>(
      `SELECT id FROM products WHERE search_vector @@ websearch_to_tsquery('english', ?)`,
      ['teapots'],
    );
    expect(hits.map((hit) => hit.id)).to.include(product.id);
    const [line] = await em.find(Inventory, { variant: variant.id });
    expect(line?.availableQuantity).to.equal(0);
  },
});

// ---------------------------------------------------------------------------------------------
// cart_db

const crt = {
  cart: (o: Row = {}): Row => ({ id: newId(), user_id: newId(), currency: 'EUR', ...o }),
  item: (cartId: string, o: Row = {}): Row => ({
    id: newId(),
    cart_id: cartId,
    product_id: newId(),
    variant_id: newId(),
    product_name: 'Mug',
    product_sku: 'MUG-1',
    unit_price: '12.50',
    currency: 'EUR',
    quantity: 1,
    ...o,
  }),
};

const cartSchema = schemaOf({
  service: 'cart',
  definition: cartDatabase,
  tables: ['cart_items', 'carts'],
  partitioned: cartPartitionedTables,
  async seed(insert) {
    const cart = crt.cart();
    const guest = crt.cart({ user_id: null, session_id: 'guest-session-0001' });
    const anotherGuestCart = { ...guest, id: newId() };
    const item = crt.item(String(cart.id));
    await insert('carts', cart);
    await insert('carts', guest);
    await insert('carts', anotherGuestCart);
    // The same user may have carts that are no longer active.
    await insert(
      'carts',
      crt.cart({ user_id: cart.user_id, status: 'converted', converted_order_id: newId() }),
    );
    await insert('carts', crt.cart({ user_id: cart.user_id, status: 'abandoned' }));
    await insert('cart_items', item);
    return { cartId: String(cart.id), userId: String(cart.user_id), variantId: String(item.variant_id) };
  },
  rules: [
    {
      rule: 'one active cart per user',
      code: '23505',
      name: 'carts_user_id_active_unique',
      row: (f) => ['carts', crt.cart({ user_id: f.userId })],
    },
    {
      rule: 'a cart belongs to a user or a guest session',
      code: '23514',
      name: 'carts_owner_check',
      row: () => ['carts', crt.cart({ user_id: null })],
    },
    {
      rule: 'cart status is active, merged, converted or abandoned',
      code: '23514',
      name: 'carts_status_check',
      row: () => ['carts', crt.cart({ status: 'open' })],
    },
    {
      rule: 'a converted cart names its order',
      code: '23514',
      name: 'carts_converted_order_id_check',
      row: () => ['carts', crt.cart({ status: 'converted' })],
    },
    {
      rule: 'a cart version starts at 1',
      code: '23514',
      name: 'carts_version_check',
      row: () => ['carts', crt.cart({ version: 0 })],
    },
    {
      rule: 'cart currency required',
      code: '23502',
      name: 'currency',
      row: () => ['carts', crt.cart({ currency: null })],
    },
    {
      rule: 'quantity > 0',
      code: '23514',
      name: 'cart_items_quantity_check',
      row: (f) => ['cart_items', crt.item(f.cartId, { quantity: 0 })],
    },
    {
      rule: 'one line per variant in a cart',
      code: '23505',
      name: 'cart_items_cart_id_variant_id_unique',
      row: (f) => ['cart_items', crt.item(f.cartId, { variant_id: f.variantId })],
    },
    {
      rule: 'cart_items.cart_id → carts',
      code: '23503',
      name: 'cart_items_cart_id_fkey',
      row: () => ['cart_items', crt.item(newId())],
    },
    {
      rule: 'unit price ≥ 0',
      code: '23514',
      name: 'cart_items_unit_price_check',
      row: (f) => ['cart_items', crt.item(f.cartId, { unit_price: '-1' })],
    },
  ],
  crossServiceRefs: [
    'carts.user_id',
    'cart_items.product_id',
    'cart_items.variant_id',
    'carts.converted_order_id',
  ],
  async orm(em) {
    const cart = em.create(Cart, { userId: newId(), currency: 'EUR', expiresAt: hoursFromNow(24) });
    em.create(CartItem, {
      cart,
      productId: newId(),
      variantId: newId(),
      productName: 'Mug',
      productSku: 'MUG-1',
      unitPrice: 1250,
      currency: 'EUR',
      quantity: 2,
    });
    await em.flush();
    expect([cart.status, cart.subtotal, cart.totalAmount]).to.deep.equal(['active', 0, 0]);
    em.clear();
    const items = await em.find(CartItem, { cart: cart.id }, { populate: ['cart'] });
    expect(items.map((item) => [item.unitPrice, item.quantity, item.cart.$.status])).to.deep.equal([
      [1250, 2, 'active'],
    ]);
    await em.nativeDelete(Cart, { id: cart.id });
    expect(await em.count(CartItem, { cart: cart.id }), 'lines go with their cart').to.equal(0);
  },
});

// ---------------------------------------------------------------------------------------------
// order_db

const ord = {
  order: (o: Row = {}): Row => {
    const userId = o.user_id === undefined ? newId() : o.user_id;
    return {
      id: newId(),
      order_number: unique('ORD-'),
      user_id: userId,
      subtotal: '100.00',
      tax_amount: '20.00',
      shipping_amount: '5.00',
      discount_amount: '10.00',
      total_amount: '115.00',
      currency: 'EUR',
      idempotency_scope: userId ? `user:${String(userId)}` : `guest:${unique('session')}`,
      idempotency_key: unique('key-'),
      request_hash: 'h',
      ...o,
    };
  },
  item: (orderId: string, o: Row = {}): Row => ({
    id: newId(),
    order_id: orderId,
    product_id: newId(),
    variant_id: newId(),
    product_name: 'Mug',
    product_sku: 'MUG-1',
    unit_price: '25.00',
    quantity: 4,
    total_price: '100.00',
    currency: 'EUR',
    ...o,
  }),
  history: (orderId: string, o: Row = {}): Row => ({
    id: newId(),
    order_id: orderId,
    status: 'confirmed',
    previous_status: 'pending',
    changed_by: 'system',
    ...o,
  }),
  address: (orderId: string, o: Row = {}): Row => ({
    id: newId(),
    order_id: orderId,
    name: 'Ada Lovelace',
    first_name: 'Ada',
    last_name: 'Lovelace',
    line1: '1 Main St',
    city: 'London',
    country: 'GB',
    ...o,
  }),
};

const orderSchema = schemaOf({
  service: 'order',
  definition: orderDatabase,
  tables: ['order_items', 'order_notes', 'order_status_history', 'orders', 'shipping_addresses'],
  partitioned: orderPartitionedTables,
  async seed(insert) {
    const cartId = newId();
    const order = ord.order({ order_number: 'ORD-0001', idempotency_key: 'place-1', cart_id: cartId });
    const orderId = String(order.id);
    await insert('orders', order);
    // The same key from another customer is another order, and so is a guest's.
    await insert('orders', ord.order({ idempotency_key: 'place-1' }));
    await insert(
      'orders',
      ord.order({ user_id: null, guest_email: 'guest@example.com', idempotency_key: 'place-1' }),
    );
    // A cancelled order frees its cart: the cart may be ordered again.
    await insert(
      'orders',
      ord.order({
        cart_id: cartId,
        status: 'cancelled',
        cancelled_at: new Date(),
        idempotency_key: 'place-0',
      }),
    );
    await insert('order_items', ord.item(orderId, { tax_amount: '19.00' }));
    await insert('order_status_history', ord.history(orderId));
    await insert('order_status_history', ord.history(orderId, { created_at: hoursFromNow(24 * 400) }));
    await insert('shipping_addresses', ord.address(orderId));
    await insert('order_notes', { id: newId(), order_id: orderId, note: 'Gift wrap', created_by: 'system' });
    return { orderId, userId: String(order.user_id), cartId };
  },
  rules: [
    {
      rule: 'order number unique',
      code: '23505',
      name: 'orders_order_number_unique',
      row: () => ['orders', ord.order({ order_number: 'ORD-0001' })],
    },
    {
      rule: 'an idempotency key places one order per customer or guest session',
      code: '23505',
      name: 'orders_idempotency_scope_key_unique',
      row: (f) => ['orders', ord.order({ user_id: f.userId, idempotency_key: 'place-1' })],
    },
    {
      rule: 'the idempotency scope names a customer or a guest session',
      code: '23514',
      name: 'orders_idempotency_scope_check',
      row: () => ['orders', ord.order({ idempotency_scope: 'anyone' })],
    },
    {
      rule: 'an order is a customer’s or a guest’s, not both',
      code: '23514',
      name: 'orders_customer_or_guest_check',
      row: () => ['orders', ord.order({ guest_email: 'guest@example.com' })],
    },
    {
      rule: 'an order is a customer’s or a guest’s, not neither',
      code: '23514',
      name: 'orders_customer_or_guest_check',
      row: () => ['orders', ord.order({ user_id: null })],
    },
    {
      rule: 'a guest order has an email',
      code: '23514',
      name: 'orders_customer_or_guest_check',
      row: () => ['orders', ord.order({ user_id: null, guest_email: '' })],
    },
    {
      rule: 'one live order per cart',
      code: '23505',
      name: 'orders_cart_id_live_unique',
      row: (f) => ['orders', ord.order({ cart_id: f.cartId })],
    },
    {
      rule: 'an order past pending says when it was confirmed',
      code: '23514',
      name: 'orders_confirmed_at_check',
      row: () => ['orders', ord.order({ status: 'shipped' })],
    },
    {
      rule: 'order status is one of the lifecycle states',
      code: '23514',
      name: 'orders_status_check',
      row: () => ['orders', ord.order({ status: 'lost' })],
    },
    {
      rule: 'payment status is one of its states',
      code: '23514',
      name: 'orders_payment_status_check',
      row: () => ['orders', ord.order({ payment_status: 'captured' })],
    },
    {
      rule: 'total = subtotal + tax + shipping − discount',
      code: '23514',
      name: 'orders_total_amount_check',
      row: () => ['orders', ord.order({ total_amount: '115.01' })],
    },
    {
      rule: 'amounts ≥ 0',
      code: '23514',
      name: 'orders_amounts_check',
      row: () => ['orders', ord.order({ discount_amount: '-10.00', total_amount: '135.00' })],
    },
    {
      rule: 'a cancelled order says when',
      code: '23514',
      name: 'orders_cancelled_at_check',
      row: () => ['orders', ord.order({ status: 'cancelled' })],
    },
    {
      rule: 'currency required',
      code: '23502',
      name: 'currency',
      row: () => ['orders', ord.order({ currency: null })],
    },
    {
      rule: 'line quantity > 0',
      code: '23514',
      name: 'order_items_quantity_check',
      row: (f) => ['order_items', ord.item(f.orderId, { quantity: 0, total_price: '0.00' })],
    },
    {
      rule: 'line tax ≥ 0',
      code: '23514',
      name: 'order_items_tax_amount_check',
      row: (f) => ['order_items', ord.item(f.orderId, { tax_amount: '-0.01' })],
    },
    {
      rule: 'line total = unit price × quantity − discount',
      code: '23514',
      name: 'order_items_total_price_check',
      row: (f) => ['order_items', ord.item(f.orderId, { total_price: '99.99' })],
    },
    {
      rule: 'order_items.order_id → orders',
      code: '23503',
      name: 'order_items_order_id_fkey',
      row: () => ['order_items', ord.item(newId())],
    },
    {
      rule: 'history status is an order status',
      code: '23514',
      name: 'order_status_history_status_check',
      row: (f) => ['order_status_history', ord.history(f.orderId, { status: 'teleported' })],
    },
    {
      rule: 'order_status_history.order_id → orders (from a partitioned table)',
      code: '23503',
      name: 'order_status_history_order_id_fkey',
      row: () => ['order_status_history', ord.history(newId())],
    },
    {
      rule: 'one shipping address per order',
      code: '23505',
      name: 'shipping_addresses_order_id_unique',
      row: (f) => ['shipping_addresses', ord.address(f.orderId)],
    },
    {
      rule: 'shipping country is ISO 3166-1 alpha-2',
      code: '23514',
      name: 'shipping_addresses_country_check',
      row: () => ['shipping_addresses', ord.address(newId(), { country: 'gb' })],
    },
    {
      rule: 'order_notes.order_id → orders',
      code: '23503',
      name: 'order_notes_order_id_fkey',
      row: () => ['order_notes', { id: newId(), order_id: newId(), note: 'x', created_by: 'system' }],
    },
  ],
  crossServiceRefs: [
    'orders.user_id',
    'orders.cart_id',
    'orders.coupon_code',
    'orders.payment_id',
    'orders.shipping_method_id',
    'order_items.product_id',
    'order_items.variant_id',
  ],
  dated: (f, createdAt) => [['order_status_history', ord.history(f.orderId, { created_at: createdAt })]],
  async orm(em) {
    const order = em.create(Order, {
      orderNumber: unique('ORM-'),
      userId: newId(),
      subtotal: 2500,
      shippingAmount: 499,
      totalAmount: 2999,
      currency: 'EUR',
      idempotencyScope: 'user:orm',
      idempotencyKey: unique('orm-'),
      requestHash: 'h',
    });
    em.create(OrderItem, {
      order,
      productId: newId(),
      variantId: newId(),
      productName: 'Mug',
      productSku: 'MUG-1',
      unitPrice: 1250,
      quantity: 2,
      totalPrice: 2500,
      currency: 'EUR',
    });
    em.create(ShippingAddress, {
      order,
      name: 'Ada Lee',
      firstName: 'Ada',
      lastName: 'Lee',
      line1: 'l',
      city: 'c',
      country: 'GB',
    });
    em.create(OrderStatusHistory, { order, status: 'pending', changedBy: 'system' });
    em.create(OrderStatusHistory, {
      order,
      status: 'confirmed',
      previousStatus: 'pending',
      changedBy: 'system',
      createdAt: new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 1)),
    });
    await em.flush();
    expect(order.version).to.equal(1);

    // Optimistic locking: a stale copy cannot overwrite a newer change.
    const other = em.fork();
    const stale = await other.findOneOrFail(Order, order.id);
    order.status = 'confirmed';
    order.confirmedAt = new Date();
    await em.flush();
    expect(order.version).to.equal(2);
    stale.status = 'cancelled';
    stale.cancelledAt = new Date();
    let lockError: unknown;
    await other.flush().catch((error: unknown) => (lockError = error));
    expect((lockError as Error | undefined)?.name).to.equal('OptimisticLockError');

    em.clear();
    const history = await em.find(OrderStatusHistory, { order: order.id }, { orderBy: { createdAt: 'asc' } });
    expect(history.map((h) => h.status)).to.deep.equal(['pending', 'confirmed']);
    const address = await em.findOneOrFail(ShippingAddress, { order: order.id });
    expect(address.country).to.equal('GB');
    const found = await em.findOneOrFail(Order, order.id);
    expect([found.subtotal, found.taxAmount, found.totalAmount, found.status]).to.deep.equal([
      2500,
      0,
      2999,
      'confirmed',
    ]);
  },
});

// ---------------------------------------------------------------------------------------------
// payment_db

const pay = {
  method: (o: Row = {}): Row => ({
    id: newId(),
    user_id: newId(),
    type: 'card',
    provider: 'fake',
    provider_token: 'v1:kid:ciphertext',
    ...o,
  }),
  payment: (o: Row = {}): Row => ({
    id: newId(),
    order_id: newId(),
    user_id: newId(),
    provider: 'fake',
    amount: '50.00',
    currency: 'EUR',
    idempotency_key: unique('pay-'),
    ...o,
  }),
  transaction: (paymentId: string, o: Row = {}): Row => ({
    id: newId(),
    payment_id: paymentId,
    type: 'authorize',
    amount: '50.00',
    currency: 'EUR',
    ...o,
  }),
  refund: (paymentId: string, o: Row = {}): Row => ({
    id: newId(),
    payment_id: paymentId,
    order_id: newId(),
    amount: '10.00',
    currency: 'EUR',
    idempotency_key: unique('refund-'),
    ...o,
  }),
  webhook: (o: Row = {}): Row => ({
    id: newId(),
    provider: 'fake',
    event_type: 'charge.succeeded',
    provider_event_id: unique('evt_'),
    payload: '{}',
    signature_valid: true,
    ...o,
  }),
};

const paymentSchema = schemaOf({
  service: 'payment',
  definition: paymentDatabase,
  tables: ['payment_methods', 'payment_transactions', 'payment_webhooks', 'payments', 'refunds'],
  partitioned: paymentPartitionedTables,
  async seed(insert) {
    const method = pay.method({ is_default: true });
    const payment = pay.payment({ payment_method_id: method.id, idempotency_key: 'order-1:pay' });
    const paymentId = String(payment.id);
    await insert('payment_methods', method);
    await insert('payments', payment);
    await insert('payment_transactions', pay.transaction(paymentId));
    await insert('payment_transactions', pay.transaction(paymentId, { type: 'capture', status: 'unknown' }));
    await insert('refunds', pay.refund(paymentId, { idempotency_key: 'order-1:refund-1' }));
    await insert('payment_webhooks', pay.webhook({ provider_event_id: 'evt_1' }));
    // The same event id from another provider is another event.
    await insert('payment_webhooks', pay.webhook({ provider: 'other', provider_event_id: 'evt_1' }));
    return { paymentId, userId: String(method.user_id) };
  },
  rules: [
    {
      rule: 'one default vaulted method per user',
      code: '23505',
      name: 'payment_methods_user_id_default_unique',
      row: (f) => ['payment_methods', pay.method({ user_id: f.userId, is_default: true })],
    },
    {
      rule: 'the provider token is required',
      code: '23502',
      name: 'provider_token',
      row: () => ['payment_methods', pay.method({ provider_token: null })],
    },
    {
      rule: 'payment status is one of its states',
      code: '23514',
      name: 'payments_status_check',
      row: () => ['payments', pay.payment({ status: 'paid' })],
    },
    {
      rule: 'refunded ≤ captured ≤ authorised ≤ amount',
      code: '23514',
      name: 'payments_amounts_check',
      row: () => [
        'payments',
        pay.payment({ amount_authorized: '50.00', amount_captured: '20.00', amount_refunded: '20.01' }),
      ],
    },
    {
      rule: 'captured ≤ authorised',
      code: '23514',
      name: 'payments_amounts_check',
      row: () => ['payments', pay.payment({ amount_authorized: '20.00', amount_captured: '20.01' })],
    },
    {
      rule: 'a refund under way counts against the capture',
      code: '23514',
      name: 'payments_amounts_check',
      row: () => [
        'payments',
        pay.payment({
          amount_authorized: '50.00',
          amount_captured: '20.00',
          amount_refunded: '10.00',
          amount_refund_reserved: '10.01',
        }),
      ],
    },
    {
      rule: 'a payment is a customer’s or a guest’s, not both, not neither',
      code: '23514',
      name: 'payments_payer_check',
      row: () => ['payments', pay.payment({ user_id: null })],
    },
    {
      rule: 'payment idempotency key unique',
      code: '23505',
      name: 'payments_idempotency_key_unique',
      row: () => ['payments', pay.payment({ idempotency_key: 'order-1:pay' })],
    },
    {
      rule: 'payments.payment_method_id → payment_methods',
      code: '23503',
      name: 'payments_payment_method_id_fkey',
      row: () => ['payments', pay.payment({ payment_method_id: newId() })],
    },
    {
      rule: 'transaction type is authorize, capture, void or refund',
      code: '23514',
      name: 'payment_transactions_type_check',
      row: (f) => ['payment_transactions', pay.transaction(f.paymentId, { type: 'chargeback' })],
    },
    {
      rule: 'one capture or void per payment that did not fail',
      code: '23505',
      name: 'payment_transactions_one_settlement',
      row: (f) => ['payment_transactions', pay.transaction(f.paymentId, { type: 'void' })],
    },
    {
      rule: 'transaction status is pending, succeeded, failed or unknown',
      code: '23514',
      name: 'payment_transactions_status_check',
      row: (f) => ['payment_transactions', pay.transaction(f.paymentId, { status: 'lost' })],
    },
    {
      rule: 'payment_transactions.payment_id → payments',
      code: '23503',
      name: 'payment_transactions_payment_id_fkey',
      row: () => ['payment_transactions', pay.transaction(newId())],
    },
    {
      rule: 'refund amount > 0',
      code: '23514',
      name: 'refunds_amount_check',
      row: (f) => ['refunds', pay.refund(f.paymentId, { amount: '0.00' })],
    },
    {
      rule: 'refund status is one of its states',
      code: '23514',
      name: 'refunds_status_check',
      row: (f) => ['refunds', pay.refund(f.paymentId, { status: 'done' })],
    },
    {
      rule: 'refund idempotency key unique',
      code: '23505',
      name: 'refunds_idempotency_key_unique',
      row: (f) => ['refunds', pay.refund(f.paymentId, { idempotency_key: 'order-1:refund-1' })],
    },
    {
      rule: 'a provider event is recorded once',
      code: '23505',
      name: 'payment_webhooks_provider_event_id_unique',
      row: () => ['payment_webhooks', pay.webhook({ provider_event_id: 'evt_1' })],
    },
    {
      rule: 'webhook status is pending, processed, ignored or failed',
      code: '23514',
      name: 'payment_webhooks_status_check',
      row: () => ['payment_webhooks', pay.webhook({ status: 'applied' })],
    },
  ],
  crossServiceRefs: [
    'payments.order_id',
    'refunds.order_id',
    'payments.user_id',
    'payment_methods.user_id',
    'refunds.return_request_id',
  ],
  async orm(em) {
    const method = em.create(VaultedMethod, {
      userId: newId(),
      type: 'card',
      provider: 'fake',
      providerToken: 'secret',
    });
    const payment = em.create(Payment, {
      orderId: newId(),
      userId: method.userId,
      paymentMethod: method,
      provider: 'fake',
      amount: 4999,
      amountAuthorized: 4999,
      amountCaptured: 4999,
      currency: 'EUR',
      idempotencyKey: unique('orm-pay-'),
    });
    em.create(PaymentTransaction, {
      payment,
      type: 'capture',
      amount: 4999,
      currency: 'EUR',
      status: 'succeeded',
    });
    em.create(PaymentRefund, {
      payment,
      orderId: payment.orderId,
      amount: 999,
      currency: 'EUR',
      idempotencyKey: unique('orm-refund-'),
    });
    await em.flush();
    payment.amountRefunded = 999;
    payment.status = 'partially_refunded';
    await em.flush();
    em.clear();
    const found = await em.findOneOrFail(Payment, payment.id);
    expect([found.amount, found.amountRefunded, found.status]).to.deep.equal([
      4999,
      999,
      'partially_refunded',
    ]);
    expect(JSON.stringify(await em.findOneOrFail(VaultedMethod, method.id))).to.not.include('secret');
    found.amountRefunded = 5000;
    let failure: unknown;
    await em.flush().catch((error: unknown) => (failure = error));
    expect((failure as PgError | undefined)?.code, 'refunding more than was captured').to.equal('23514');
  },
});

// ---------------------------------------------------------------------------------------------
// notification_db

const note = {
  template: (o: Row = {}): Row => ({
    id: newId(),
    name: unique('order_confirmed_'),
    subject: 'Your order',
    body_html: '<p>Thanks</p>',
    body_text: 'Thanks',
    ...o,
  }),
  notification: (o: Row = {}): Row => ({
    id: newId(),
    user_id: newId(),
    channel: 'email',
    notification_type: 'order_confirmed',
    recipient: 'ada@example.com',
    body: 'Thanks',
    ...o,
  }),
  log: (notificationId: string, o: Row = {}): Row => ({
    id: newId(),
    notification_id: notificationId,
    attempt: 1,
    status: 'sent',
    provider: 'fake',
    ...o,
  }),
};

const notificationSchema = schemaOf({
  service: 'notification',
  definition: notificationDatabase,
  tables: [
    'email_templates',
    'notification_keys',
    'notification_logs',
    'notification_preferences',
    'notifications',
    'order_contacts',
  ],
  partitioned: notificationPartitionedTables,
  async seed(insert) {
    const template = note.template({ name: 'order_confirmed' });
    const notification = note.notification({ template_id: template.id });
    const userId = String(notification.user_id);
    await insert('email_templates', template);
    await insert('notifications', notification);
    await insert('notifications', note.notification({ created_at: hoursFromNow(24 * 380) }));
    await insert('notification_preferences', {
      id: newId(),
      user_id: userId,
      notification_type: 'order_confirmed',
    });
    await insert('notification_logs', note.log(String(notification.id)));
    const eventId = newId();
    await insert('notification_keys', {
      event_id: eventId,
      recipient_key: 'ada@example.com',
      template: 'order_confirmed',
      channel: 'email',
      notification_id: notification.id,
    });
    await insert('order_contacts', { order_id: newId(), order_number: 'ORD-1000042-7', user_id: userId });
    return { userId, notificationId: String(notification.id), eventId };
  },
  rules: [
    {
      rule: 'template name unique',
      code: '23505',
      name: 'email_templates_name_unique',
      row: () => ['email_templates', note.template({ name: 'order_confirmed' })],
    },
    {
      rule: 'template variables are a JSON array',
      code: '23514',
      name: 'email_templates_variables_check',
      row: () => ['email_templates', note.template({ variables: '{"a":1}' })],
    },
    {
      rule: 'channel is email, sms, push or in_app',
      code: '23514',
      name: 'notifications_channel_check',
      row: () => ['notifications', note.notification({ channel: 'fax' })],
    },
    {
      rule: 'notification status is one of its states',
      code: '23514',
      name: 'notifications_status_check',
      row: () => ['notifications', note.notification({ status: 'read' })],
    },
    {
      rule: 'notifications.template_id → email_templates (from a partitioned table)',
      code: '23503',
      name: 'notifications_template_id_fkey',
      row: () => ['notifications', note.notification({ template_id: newId() })],
    },
    {
      rule: 'notification body required',
      code: '23502',
      name: 'body',
      row: () => ['notifications', note.notification({ body: null })],
    },
    {
      rule: 'one preference per user and notification type',
      code: '23505',
      name: 'notification_preferences_user_id_notification_type_unique',
      row: (f) => [
        'notification_preferences',
        { id: newId(), user_id: f.userId, notification_type: 'order_confirmed' },
      ],
    },
    {
      rule: 'attempts count from 1',
      code: '23514',
      name: 'notification_logs_attempt_check',
      row: (f) => ['notification_logs', note.log(f.notificationId, { attempt: 0 })],
    },
    {
      rule: 'attempt status is sent, delivered, failed or bounced',
      code: '23514',
      name: 'notification_logs_status_check',
      row: (f) => ['notification_logs', note.log(f.notificationId, { status: 'pending' })],
    },
    {
      rule: 'one message per event, recipient, template and channel',
      code: '23505',
      name: 'notification_keys_pkey',
      row: (f) => [
        'notification_keys',
        {
          event_id: f.eventId,
          recipient_key: 'ada@example.com',
          template: 'order_confirmed',
          channel: 'email',
          notification_id: newId(),
        },
      ],
    },
    {
      rule: 'attempts are not negative',
      code: '23514',
      name: 'notifications_attempts_check',
      row: () => ['notifications', note.notification({ attempts: -1 })],
    },
  ],
  crossServiceRefs: [
    'notifications.user_id',
    'notification_preferences.user_id',
    'order_contacts.order_id',
    'order_contacts.user_id',
  ],
  dated: (f, createdAt) => [
    ['notifications', note.notification({ created_at: createdAt })],
    ['notification_logs', note.log(f.notificationId, { created_at: createdAt })],
  ],
  async orm(em) {
    const template = em.create(EmailTemplate, {
      name: unique('shipped_'),
      subject: 'Shipped',
      bodyHtml: '<p>On its way</p>',
      bodyText: 'On its way',
      variables: ['orderNumber'],
    });
    const notification = em.create(Notification, {
      userId: newId(),
      channel: 'email',
      notificationType: 'order_shipped',
      template,
      recipient: 'ada@example.com',
      subject: 'Shipped',
      body: 'On its way',
    });
    await em.flush();
    notification.status = 'sent';
    notification.sentAt = new Date();
    await em.flush();
    em.create(NotificationLog, {
      notificationId: notification.id,
      attempt: 1,
      status: 'sent',
      provider: 'fake',
      createdAt: new Date(Date.UTC(new Date().getUTCFullYear() + 1, 2, 1)),
    });
    await em.flush();
    em.clear();
    const found = await em.findOneOrFail(Notification, notification.id, { populate: ['template'] });
    expect([found.status, found.template?.$.variables]).to.deep.equal(['sent', ['orderNumber']]);
    const logs = await em.find(NotificationLog, { notificationId: notification.id });
    expect(logs.map((log) => log.attempt)).to.deep.equal([1]);
  },
});

// ---------------------------------------------------------------------------------------------
// discount_db

const disc = {
  coupon: (o: Row = {}): Row => ({
    id: newId(),
    code: unique('CODE'),
    name: 'Ten off',
    type: 'fixed_amount',
    discount_value: '10.00',
    currency: 'EUR',
    ...o,
  }),
  couponUse: (couponId: string, o: Row = {}): Row => ({
    id: newId(),
    coupon_id: couponId,
    user_id: newId(),
    order_id: newId(),
    discount_amount: '10.00',
    currency: 'EUR',
    ...o,
  }),
  promotion: (o: Row = {}): Row => ({ id: newId(), name: 'Three for two', type: 'buy_x_get_y', ...o }),
  reservation: (o: Row = {}): Row => ({
    order_id: newId(),
    status: 'reserved',
    user_id: newId(),
    currency: 'EUR',
    request_hash: 'h',
    expires_at: hoursFromNow(1),
    ...o,
  }),
  promotionUse: (promotionId: string, o: Row = {}): Row => ({
    id: newId(),
    promotion_id: promotionId,
    user_id: newId(),
    order_id: newId(),
    discount_amount: '5.00',
    currency: 'EUR',
    ...o,
  }),
};

const discountSchema = schemaOf({
  service: 'discount',
  definition: discountDatabase,
  tables: [
    'coupon_usage',
    'coupons',
    'discount_reservations',
    'promotion_rules',
    'promotion_usage',
    'promotions',
  ],
  partitioned: discountPartitionedTables,
  async seed(insert) {
    const coupon = disc.coupon({ code: 'SUMMER10', usage_limit: 1, usage_count: 1 });
    const use = disc.couponUse(String(coupon.id), { status: 'redeemed', used_at: new Date() });
    const promotion = disc.promotion();
    const promoUse = disc.promotionUse(String(promotion.id));
    await insert('coupons', coupon);
    await insert('coupons', disc.coupon({ type: 'percentage', discount_value: '15.00' }));
    await insert('coupon_usage', use);
    await insert('promotions', promotion);
    await insert('promotion_rules', {
      id: newId(),
      promotion_id: promotion.id,
      rule_type: 'buy_quantity',
      conditions: '{"quantity":3}',
      actions: '{"free":1}',
    });
    await insert('promotion_usage', promoUse);
    await insert(
      'discount_reservations',
      disc.reservation({ coupon_id: coupon.id, coupon_code: 'SUMMER10', coupon_discount: '10.00' }),
    );
    return {
      couponId: String(coupon.id),
      couponOrder: String(use.order_id),
      promotionId: String(promotion.id),
      promotionOrder: String(promoUse.order_id),
    };
  },
  rules: [
    {
      rule: 'coupon code unique, case-insensitively',
      code: '23505',
      name: 'coupons_code_unique',
      row: () => ['coupons', disc.coupon({ code: 'summer10' })],
    },
    {
      rule: 'coupon type is percentage, fixed_amount or free_shipping',
      code: '23514',
      name: 'coupons_type_check',
      row: () => ['coupons', disc.coupon({ type: 'bogo' })],
    },
    {
      rule: 'a percentage is at most 100',
      code: '23514',
      name: 'coupons_discount_value_check',
      row: () => ['coupons', disc.coupon({ type: 'percentage', discount_value: '100.01' })],
    },
    {
      rule: 'usage count ≤ usage limit',
      code: '23514',
      name: 'coupons_usage_count_check',
      row: () => ['coupons', disc.coupon({ usage_limit: 5, usage_count: 6 })],
    },
    {
      rule: 'a coupon ends after it starts',
      code: '23514',
      name: 'coupons_dates_check',
      row: () => ['coupons', disc.coupon({ starts_at: hoursFromNow(2), ends_at: hoursFromNow(1) })],
    },
    {
      rule: 'product lists are JSON arrays',
      code: '23514',
      name: 'coupons_lists_check',
      row: () => ['coupons', disc.coupon({ excluded_products: '"p1"' })],
    },
    {
      rule: 'a coupon is used once per order',
      code: '23505',
      name: 'coupon_usage_coupon_id_order_id_unique',
      row: (f) => ['coupon_usage', disc.couponUse(f.couponId, { order_id: f.couponOrder })],
    },
    {
      rule: 'coupon usage status is reserved, redeemed or released',
      code: '23514',
      name: 'coupon_usage_status_check',
      row: (f) => ['coupon_usage', disc.couponUse(f.couponId, { status: 'used' })],
    },
    {
      rule: 'coupon_usage.coupon_id → coupons',
      code: '23503',
      name: 'coupon_usage_coupon_id_fkey',
      row: () => ['coupon_usage', disc.couponUse(newId())],
    },
    {
      rule: 'a coupon use is a user’s or a guest’s, not both',
      code: '23514',
      name: 'coupon_usage_customer_check',
      row: (f) => ['coupon_usage', disc.couponUse(f.couponId, { guest_email: 'ada@example.com' })],
    },
    {
      rule: 'a guest is counted by lower-cased email',
      code: '23514',
      name: 'coupon_usage_guest_email_check',
      row: (f) => [
        'coupon_usage',
        disc.couponUse(f.couponId, { user_id: null, guest_email: 'Ada@example.com' }),
      ],
    },
    {
      rule: 'a released reservation says why, and only a released one',
      code: '23514',
      name: 'discount_reservations_release_cause_check',
      row: () => ['discount_reservations', disc.reservation({ release_cause: 'expired' })],
    },
    {
      rule: 'a reservation with a coupon holds its code and discount',
      code: '23514',
      name: 'discount_reservations_coupon_check',
      row: (f) => ['discount_reservations', disc.reservation({ coupon_id: f.couponId })],
    },
    {
      rule: 'discount_reservations.coupon_id → coupons',
      code: '23503',
      name: 'discount_reservations_coupon_id_fkey',
      row: () => [
        'discount_reservations',
        disc.reservation({ coupon_id: newId(), coupon_code: 'X', coupon_discount: '1.00' }),
      ],
    },
    {
      rule: 'promotion status is draft, active, paused or expired',
      code: '23514',
      name: 'promotions_status_check',
      row: () => ['promotions', disc.promotion({ status: 'running' })],
    },
    {
      rule: 'promotion type is a known kind',
      code: '23514',
      name: 'promotions_type_check',
      row: () => ['promotions', disc.promotion({ type: 'mystery' })],
    },
    {
      rule: 'rule type is buy_quantity, spend_amount, product_match or category_match',
      code: '23514',
      name: 'promotion_rules_rule_type_check',
      row: (f) => ['promotion_rules', { id: newId(), promotion_id: f.promotionId, rule_type: 'weekday' }],
    },
    {
      rule: 'promotion_rules.promotion_id → promotions',
      code: '23503',
      name: 'promotion_rules_promotion_id_fkey',
      row: () => ['promotion_rules', { id: newId(), promotion_id: newId(), rule_type: 'buy_quantity' }],
    },
    {
      rule: 'a promotion is applied once per order',
      code: '23505',
      name: 'promotion_usage_promotion_id_order_id_unique',
      row: (f) => ['promotion_usage', disc.promotionUse(f.promotionId, { order_id: f.promotionOrder })],
    },
  ],
  crossServiceRefs: [
    'coupon_usage.user_id',
    'coupon_usage.order_id',
    'promotion_usage.user_id',
    'promotion_usage.order_id',
    'discount_reservations.order_id',
    'discount_reservations.user_id',
  ],
  async orm(em) {
    const coupon = em.create(Coupon, {
      code: unique('ORM'),
      name: '15 %',
      type: 'percentage',
      discountValue: 1500,
      maximumDiscount: 2000,
      currency: 'EUR',
      usageLimit: 10,
      applicableCategories: ['c1'],
    });
    em.create(CouponUsage, {
      coupon,
      userId: newId(),
      orderId: newId(),
      discountAmount: 750,
      currency: 'EUR',
    });
    const promotion = em.create(Promotion, {
      name: 'Bulk',
      type: 'volume_discount',
      configuration: { min: 10 },
    });
    em.create(PromotionRule, { promotion, ruleType: 'spend_amount', conditions: { over: 10000 } });
    await em.flush();
    em.clear();
    const found = await em.findOneOrFail(Coupon, { code: coupon.code });
    expect([
      found.discountValue,
      found.maximumDiscount,
      found.applicableCategories,
      found.excludedProducts,
    ]).to.deep.equal([1500, 2000, ['c1'], []]);
    const [use] = await em.find(CouponUsage, { coupon: found.id });
    expect([use?.status, use?.discountAmount]).to.deep.equal(['reserved', 750]);
  },
});

// ---------------------------------------------------------------------------------------------
// shipping_db

const ship = {
  carrier: (o: Row = {}): Row => ({ id: newId(), name: 'Parcel Co', code: unique('parcel_'), ...o }),
  zone: (o: Row = {}): Row => ({ id: newId(), name: 'EU', type: 'country', countries: '["FR","DE"]', ...o }),
  method: (zoneId: string, carrierCode: string, o: Row = {}): Row => ({
    id: newId(),
    zone_id: zoneId,
    name: 'Standard',
    carrier_code: carrierCode,
    service_type: 'standard',
    base_price: '4.99',
    currency: 'EUR',
    estimated_days: 3,
    ...o,
  }),
  rate: (methodId: string, o: Row = {}): Row => ({
    id: newId(),
    method_id: methodId,
    min_weight: '0',
    max_weight: '2.000',
    rate: '4.99',
    currency: 'EUR',
    ...o,
  }),
  shipment: (carrierId: string, o: Row = {}): Row => ({
    id: newId(),
    order_id: newId(),
    carrier_id: carrierId,
    currency: 'EUR',
    origin_address: '{"city":"Lyon"}',
    destination_address: '{"city":"Paris"}',
    ...o,
  }),
};

const FIRST_LINE = newId();
const shipItem = (shipmentId: string, o: Row = {}): Row => ({
  id: newId(),
  shipment_id: shipmentId,
  order_item_id: newId(),
  product_id: newId(),
  variant_id: newId(),
  sku: 'TEE-1',
  quantity: 1,
  ...o,
});

const shippingSchema = schemaOf({
  service: 'shipping',
  definition: shippingDatabase,
  tables: [
    'carriers',
    'shipment_items',
    'shipment_tracking',
    'shipments',
    'shipping_methods',
    'shipping_rates',
    'shipping_zones',
    'simulated_carrier_clock',
  ],
  partitioned: shippingPartitionedTables,
  async seed(insert) {
    const carrier = ship.carrier({ code: 'parcelco' });
    const zone = ship.zone();
    const method = ship.method(String(zone.id), 'parcelco');
    const shipment = ship.shipment(String(carrier.id), { method_id: method.id, tracking_number: 'TRK-1' });
    await insert('carriers', carrier);
    await insert('shipping_zones', zone);
    await insert('shipping_methods', method);
    await insert('shipping_rates', ship.rate(String(method.id)));
    await insert('shipments', shipment);
    await insert('shipment_tracking', {
      id: newId(),
      shipment_id: shipment.id,
      status: 'in_transit',
      location: 'Lyon',
      occurred_at: new Date(),
      event_key: 'picked_up',
    });
    await insert('shipment_items', shipItem(String(shipment.id), { order_item_id: FIRST_LINE }));
    await insert('simulated_carrier_clock', { id: true, offset_ms: 0 });
    return {
      carrierId: String(carrier.id),
      zoneId: String(zone.id),
      methodId: String(method.id),
      shipmentId: String(shipment.id),
      orderId: String(shipment.order_id),
    };
  },
  rules: [
    {
      rule: 'carrier code unique',
      code: '23505',
      name: 'carriers_code_unique',
      row: () => ['carriers', ship.carrier({ code: 'parcelco' })],
    },
    {
      rule: 'zone type is country, state, postal_code or custom',
      code: '23514',
      name: 'shipping_zones_type_check',
      row: () => ['shipping_zones', ship.zone({ type: 'planet' })],
    },
    {
      rule: 'zone lists are JSON arrays',
      code: '23514',
      name: 'shipping_zones_lists_check',
      row: () => ['shipping_zones', ship.zone({ countries: '"FR"' })],
    },
    {
      rule: 'service type is standard, express or overnight',
      code: '23514',
      name: 'shipping_methods_service_type_check',
      row: (f) => ['shipping_methods', ship.method(f.zoneId, 'parcelco', { service_type: 'teleport' })],
    },
    {
      rule: 'shipping_methods.zone_id → shipping_zones',
      code: '23503',
      name: 'shipping_methods_zone_id_fkey',
      row: () => ['shipping_methods', ship.method(newId(), 'parcelco')],
    },
    {
      rule: 'shipping_methods.carrier_code → carriers.code',
      code: '23503',
      name: 'shipping_methods_carrier_code_fkey',
      row: (f) => ['shipping_methods', ship.method(f.zoneId, 'nobody')],
    },
    {
      rule: 'a weight tier ends above where it starts',
      code: '23514',
      name: 'shipping_rates_weight_check',
      row: (f) => ['shipping_rates', ship.rate(f.methodId, { min_weight: '2.000', max_weight: '1.000' })],
    },
    {
      rule: 'rate ≥ 0',
      code: '23514',
      name: 'shipping_rates_rate_check',
      row: (f) => ['shipping_rates', ship.rate(f.methodId, { rate: '-1.00' })],
    },
    {
      rule: 'tracking number unique',
      code: '23505',
      name: 'shipments_tracking_number_unique',
      row: (f) => ['shipments', ship.shipment(f.carrierId, { tracking_number: 'TRK-1' })],
    },
    {
      rule: 'shipment status is one of its states',
      code: '23514',
      name: 'shipments_status_check',
      row: (f) => [
        'shipments',
        ship.shipment(f.carrierId, {
          status: 'lost',
          tracking_number: unique('TRK-'),
          shipped_at: new Date(),
        }),
      ],
    },
    {
      rule: 'a delivered shipment says when',
      code: '23514',
      name: 'shipments_delivered_at_check',
      row: (f) => ['shipments', ship.shipment(f.carrierId, { status: 'delivered' })],
    },
    {
      rule: 'shipments.carrier_id → carriers',
      code: '23503',
      name: 'shipments_carrier_id_fkey',
      row: () => ['shipments', ship.shipment(newId())],
    },
    {
      rule: 'shipment_tracking.shipment_id → shipments',
      code: '23503',
      name: 'shipment_tracking_shipment_id_fkey',
      row: () => [
        'shipment_tracking',
        { id: newId(), shipment_id: newId(), status: 'in_transit', occurred_at: new Date() },
      ],
    },
    {
      rule: 'tracking event time required',
      code: '23502',
      name: 'occurred_at',
      row: (f) => ['shipment_tracking', { id: newId(), shipment_id: f.shipmentId, status: 'in_transit' }],
    },
    {
      rule: 'a carrier event is recorded once per shipment',
      code: '23505',
      name: 'shipment_tracking_event_key_unique',
      row: (f) => [
        'shipment_tracking',
        {
          id: newId(),
          shipment_id: f.shipmentId,
          status: 'in_transit',
          occurred_at: new Date(),
          event_key: 'picked_up',
        },
      ],
    },
    {
      rule: 'one first shipment per order',
      code: '23505',
      name: 'shipments_order_first_unique',
      row: (f) => ['shipments', ship.shipment(f.carrierId, { order_id: f.orderId })],
    },
    {
      rule: 'a shipment past pending has its carrier, tracking number and shipping date',
      code: '23514',
      name: 'shipments_shipped_check',
      row: () => ['shipments', ship.shipment(null as unknown as string, { status: 'in_transit' })],
    },
    {
      rule: 'a cancelled shipment says when',
      code: '23514',
      name: 'shipments_cancelled_at_check',
      row: (f) => ['shipments', ship.shipment(f.carrierId, { status: 'cancelled' })],
    },
    {
      rule: 'shipments.split_from_id → shipments',
      code: '23503',
      name: 'shipments_split_from_id_fkey',
      row: (f) => ['shipments', ship.shipment(f.carrierId, { split_from_id: newId() })],
    },
    {
      rule: 'a shipment line holds at least one unit',
      code: '23514',
      name: 'shipment_items_quantity_check',
      row: (f) => ['shipment_items', shipItem(f.shipmentId, { quantity: 0 })],
    },
    {
      rule: 'an order line once per shipment',
      code: '23505',
      name: 'shipment_items_shipment_line_unique',
      row: (f) => ['shipment_items', shipItem(f.shipmentId, { order_item_id: FIRST_LINE })],
    },
    {
      rule: 'shipment_items.shipment_id → shipments',
      code: '23503',
      name: 'shipment_items_shipment_id_fkey',
      row: () => ['shipment_items', shipItem(newId())],
    },
    {
      rule: 'the simulated clock is one row',
      code: '23514',
      name: 'simulated_carrier_clock_single_row_check',
      row: () => ['simulated_carrier_clock', { id: false, offset_ms: 0 }],
    },
  ],
  crossServiceRefs: ['shipments.order_id', 'shipments.user_id'],
  async orm(em) {
    // Carrier and method in one flush: the carrier-code foreign key is checked at commit.
    const zone = em.create(ShippingZone, { name: 'FR', type: 'country', countries: ['FR'] });
    const method = em.create(ShippingMethod, {
      zone,
      name: 'Express',
      carrierCode: 'orm_carrier',
      serviceType: 'express',
      basePrice: 999,
      pricePerKg: 150,
      currency: 'EUR',
      estimatedDays: 1,
    });
    const carrier = em.create(Carrier, { name: 'ORM', code: 'orm_carrier', apiKey: 'secret' });
    em.create(ShippingRate, { method, minWeight: '0.500', maxWeight: '5.000', rate: 1299, currency: 'EUR' });
    const shipment = em.create(Shipment, {
      orderId: newId(),
      carrier,
      method,
      weight: '1.250',
      cost: 1299,
      currency: 'EUR',
      originAddress: { city: 'Lyon' },
      destinationAddress: { city: 'Paris' },
    });
    em.create(ShipmentTracking, { shipment, status: 'pending', occurredAt: new Date() });
    await em.flush();
    em.clear();
    const found = await em.findOneOrFail(Shipment, shipment.id, { populate: ['method', 'carrier'] });
    expect([found.cost, found.weight, found.method?.$.pricePerKg, found.destinationAddress]).to.deep.equal([
      1299,
      '1.250',
      150,
      { city: 'Paris' },
    ]);
    expect(JSON.stringify(found.carrier!.$)).to.not.include('secret');
    const [rate] = await em.find(ShippingRate, { method: method.id });
    expect([rate?.minWeight, rate?.maxWeight, rate?.minAmount, rate?.maxAmount]).to.deep.equal([
      '0.500',
      '5.000',
      0,
      null,
    ]);
  },
});

// ---------------------------------------------------------------------------------------------
// return_db

const ret = {
  request: (o: Row = {}): Row => ({
    id: newId(),
    order_id: newId(),
    user_id: newId(),
    rma_number: unique('RMA-'),
    return_reason: 'defective',
    currency: 'EUR',
    ...o,
  }),
  item: (requestId: string, o: Row = {}): Row => ({
    id: newId(),
    return_request_id: requestId,
    order_item_id: newId(),
    product_id: newId(),
    variant_id: newId(),
    product_name: 'Mug',
    product_sku: 'MUG-1',
    quantity: 2,
    unit_price: '12.50',
    refund_amount: '25.00',
    currency: 'EUR',
    ...o,
  }),
  authorization: (requestId: string, o: Row = {}): Row => ({
    id: newId(),
    return_request_id: requestId,
    rma_number: unique('RMA-A-'),
    return_address: '{"city":"Lyon"}',
    expires_at: hoursFromNow(24 * 30),
    ...o,
  }),
  refund: (requestId: string, o: Row = {}): Row => ({
    id: newId(),
    return_request_id: requestId,
    payment_id: newId(),
    order_id: newId(),
    user_id: newId(),
    refund_method: 'original_payment',
    amount: '25.00',
    currency: 'EUR',
    idempotency_key: unique('return-refund-'),
    ...o,
  }),
};

const returnSchema = schemaOf({
  service: 'return',
  definition: returnDatabase,
  tables: [
    'refunds',
    'return_authorizations',
    'return_items',
    'return_requests',
    'return_status_history',
    'return_tracking',
  ],
  partitioned: returnPartitionedTables,
  async seed(insert) {
    const request = ret.request({ rma_number: 'RMA-0001', status: 'approved', approved_at: new Date() });
    const requestId = String(request.id);
    const item = ret.item(requestId);
    const authorization = ret.authorization(requestId, { rma_number: 'RMA-0001' });
    await insert('return_requests', request);
    await insert('return_items', item);
    await insert('return_authorizations', authorization);
    await insert('return_status_history', {
      id: newId(),
      return_request_id: requestId,
      status: 'approved',
      previous_status: 'pending',
      changed_by: 'system',
    });
    await insert('return_tracking', {
      id: newId(),
      authorization_id: authorization.id,
      status: 'in_transit',
      occurred_at: new Date(),
    });
    await insert('refunds', ret.refund(requestId, { idempotency_key: 'return-1:refund' }));
    // Store credit needs no payment.
    await insert('refunds', ret.refund(requestId, { refund_method: 'store_credit', payment_id: null }));
    return { requestId, orderItemId: String(item.order_item_id) };
  },
  rules: [
    {
      rule: 'RMA number unique',
      code: '23505',
      name: 'return_requests_rma_number_unique',
      row: () => ['return_requests', ret.request({ rma_number: 'RMA-0001' })],
    },
    {
      rule: 'return status is one of its states',
      code: '23514',
      name: 'return_requests_status_check',
      row: () => ['return_requests', ret.request({ status: 'lost' })],
    },
    {
      rule: 'return reason is one of the listed reasons',
      code: '23514',
      name: 'return_requests_return_reason_check',
      row: () => ['return_requests', ret.request({ return_reason: 'bored' })],
    },
    {
      rule: 'refund method is original_payment, store_credit or exchange',
      code: '23514',
      name: 'return_requests_refund_method_check',
      row: () => ['return_requests', ret.request({ refund_method: 'cash' })],
    },
    {
      rule: 'a request says when it reached its status',
      code: '23514',
      name: 'return_requests_status_timestamps_check',
      row: () => ['return_requests', ret.request({ status: 'received' })],
    },
    {
      rule: 'returned quantity > 0',
      code: '23514',
      name: 'return_items_quantity_check',
      row: (f) => ['return_items', ret.item(f.requestId, { quantity: 0, refund_amount: '0' })],
    },
    {
      rule: 'a line never refunds a negative amount (its tax may take it above unit price × quantity)',
      code: '23514',
      name: 'return_items_refund_amount_check',
      row: (f) => ['return_items', ret.item(f.requestId, { refund_amount: '-0.01' })],
    },
    {
      rule: 'item condition is new, used, damaged or defective',
      code: '23514',
      name: 'return_items_condition_check',
      row: (f) => ['return_items', ret.item(f.requestId, { condition: 'mint' })],
    },
    {
      rule: 'an order item is returned once per request',
      code: '23505',
      name: 'return_items_return_request_id_order_item_id_unique',
      row: (f) => ['return_items', ret.item(f.requestId, { order_item_id: f.orderItemId })],
    },
    {
      rule: 'return_items.return_request_id → return_requests',
      code: '23503',
      name: 'return_items_return_request_id_fkey',
      row: () => ['return_items', ret.item(newId())],
    },
    {
      rule: 'one authorization per request',
      code: '23505',
      name: 'return_authorizations_return_request_id_unique',
      row: (f) => ['return_authorizations', ret.authorization(f.requestId)],
    },
    {
      rule: 'authorization RMA number unique',
      code: '23505',
      name: 'return_authorizations_rma_number_unique',
      row: () => ['return_authorizations', ret.authorization(newId(), { rma_number: 'RMA-0001' })],
    },
    {
      rule: 'history status is a return status',
      code: '23514',
      name: 'return_status_history_status_check',
      row: (f) => [
        'return_status_history',
        { id: newId(), return_request_id: f.requestId, status: 'lost', changed_by: 'system' },
      ],
    },
    {
      rule: 'return_tracking.authorization_id → return_authorizations',
      code: '23503',
      name: 'return_tracking_authorization_id_fkey',
      row: () => [
        'return_tracking',
        { id: newId(), authorization_id: newId(), status: 'in_transit', occurred_at: new Date() },
      ],
    },
    {
      rule: 'refund amount > 0',
      code: '23514',
      name: 'refunds_amount_check',
      row: (f) => ['refunds', ret.refund(f.requestId, { amount: '0.00' })],
    },
    {
      rule: 'refund status is pending, processing, completed or failed',
      code: '23514',
      name: 'refunds_status_check',
      row: (f) => ['refunds', ret.refund(f.requestId, { status: 'sent' })],
    },
    {
      rule: 'a refund to the original payment names it',
      code: '23514',
      name: 'refunds_payment_id_check',
      row: (f) => ['refunds', ret.refund(f.requestId, { payment_id: null })],
    },
    {
      rule: 'refund idempotency key unique',
      code: '23505',
      name: 'refunds_idempotency_key_unique',
      row: (f) => ['refunds', ret.refund(f.requestId, { idempotency_key: 'return-1:refund' })],
    },
    {
      rule: 'refunds.return_request_id → return_requests',
      code: '23503',
      name: 'refunds_return_request_id_fkey',
      row: () => ['refunds', ret.refund(newId())],
    },
  ],
  crossServiceRefs: [
    'return_requests.order_id',
    'return_requests.user_id',
    'return_items.order_item_id',
    'return_items.product_id',
    'refunds.payment_id',
    'refunds.order_id',
    'refunds.user_id',
  ],
  async orm(em) {
    const request = em.create(ReturnRequest, {
      orderId: newId(),
      userId: newId(),
      rmaNumber: unique('RMA-ORM-'),
      returnReason: 'wrong_item',
      refundAmount: 2500,
      currency: 'EUR',
    });
    em.create(ReturnItem, {
      returnRequest: request,
      orderItemId: newId(),
      productId: newId(),
      variantId: newId(),
      productName: 'Mug',
      productSku: 'MUG-1',
      quantity: 2,
      unitPrice: 1250,
      refundAmount: 2500,
      currency: 'EUR',
    });
    const authorization = em.create(ReturnAuthorization, {
      returnRequest: request,
      rmaNumber: request.rmaNumber,
      returnAddress: { city: 'Lyon' },
      expiresAt: hoursFromNow(24),
    });
    em.create(ReturnTracking, { authorization, status: 'pending', occurredAt: new Date() });
    em.create(ReturnRefund, {
      returnRequest: request,
      paymentId: newId(),
      orderId: request.orderId,
      userId: request.userId,
      refundMethod: 'original_payment',
      amount: 2500,
      currency: 'EUR',
      idempotencyKey: unique('orm-return-refund-'),
    });
    await em.flush();
    em.clear();
    const found = await em.findOneOrFail(ReturnRequest, request.id);
    expect([found.status, found.refundMethod, found.refundAmount]).to.deep.equal([
      'pending',
      'original_payment',
      2500,
    ]);
    const auth = await em.findOneOrFail(ReturnAuthorization, { returnRequest: request.id });
    expect(auth.returnAddress).to.deep.equal({ city: 'Lyon' });
    const [refund] = await em.find(ReturnRefund, { returnRequest: request.id });
    expect(refund?.amount).to.equal(2500);
  },
});

// ---------------------------------------------------------------------------------------------

const SCHEMAS: ServiceSchema[] = [
  authSchema,
  userSchema,
  productSchema,
  cartSchema,
  orderSchema,
  paymentSchema,
  notificationSchema,
  discountSchema,
  shippingSchema,
  returnSchema,
];

const serverUrl = process.env.DATABASE_URL;
const runId = `${process.pid}_${Date.now().toString(36)}`;
const scratchName = (name: string) => `schema_test_${runId}_${name}`;

function locate(name: string, dataDir: string): { url: string | undefined; dataDir: string } {
  if (!serverUrl) return { url: undefined, dataDir };
  const url = new URL(serverUrl);
  url.pathname = `/${scratchName(name)}`;
  return { url: url.toString(), dataDir };
}

async function dropScratchDatabases(names: string[]): Promise<void> {
  if (!serverUrl) return;
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    for (const name of names)
      await client.query(`DROP DATABASE IF EXISTS "${scratchName(name)}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

function sql(database: Database) {
  const connection = database.orm.em.getConnection();
  return <T = Row>(query: string, params: unknown[] = []) => connection.execute<T[]>(query, params, 'all');
}

function insertInto(database: Database): Insert {
  const run = sql(database);
  return async (table, row) => {
    const columns = Object.keys(row);
    await run(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      columns.map((column) => row[column]),
    );
  };
}

interface PgError {
  code?: string;
  constraint?: string;
  column?: string;
  message?: string;
}

describe('database schemas (the data contract)', function () {
  this.timeout(300_000);
  let dataDir: string;
  const databases = new Map<string, Database>();
  const applied = new Map<string, string[]>();
  const fixtures = new Map<string, Fixture>();

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'schema-test-'));
    for (const schema of SCHEMAS) {
      const database = await openDatabase(schema.definition, locate(schema.definition.name, dataDir));
      databases.set(schema.service, database);
      applied.set(schema.service, await migrateDatabase(database));
    }
  });

  after(async () => {
    for (const database of databases.values()) await database.close();
    await dropScratchDatabases(SCHEMAS.map((schema) => schema.definition.name));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const db = (service: string): Database => {
    const database = databases.get(service);
    if (!database) throw new Error(`${service} database not open`);
    return database;
  };

  for (const schema of SCHEMAS) {
    const { service, definition } = schema;

    describe(`${definition.name}`, () => {
      it('migrates an empty database, and migrating again applies nothing', async () => {
        expect(applied.get(service)).to.deep.equal([
          ...INFRA_MIGRATIONS.map((migration) => migration.name),
          ...definition.migrations.map((migration) => migration.name),
        ]);
        expect(await migrateDatabase(db(service))).to.deep.equal([]);
        const ledger = await sql(db(service))<{ name: string }>(
          'SELECT name FROM infra.mikro_orm_migrations',
        );
        expect(ledger.map((row) => row.name)).to.have.members(applied.get(service) ?? []);
      });

      it('keeps the migrations harmless when their SQL runs a second time', async () => {
        const { orm } = db(service);
        const run = sql(db(service));
        for (const migration of definition.migrations) {
          const MigrationClass = migration.class as Constructor<Migration>;
          const instance = new MigrationClass(orm.em.getDriver() as AbstractSqlDriver, orm.config);
          await instance.up();
          for (const query of instance.getQueries()) await run(String(query));
        }
      });

      it(`has exactly its ${schema.tables.length} domain tables in public`, async () => {
        const rows = await sql(db(service))<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables
            WHERE table_schema = 'public' ORDER BY table_name`,
        );
        expect(rows.map((row) => row.table_name)).to.deep.equal([...schema.tables].sort());
      });

      it('maps every entity property to a column of the same nullability', async () => {
        const columns = await sql(db(service))<{
          table_name: string;
          column_name: string;
          is_nullable: string;
        }>(
          `SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`,
        );
        const nullable = new Map(
          columns.map((c) => [`${c.table_name}.${c.column_name}`, c.is_nullable === 'YES']),
        );
        const metadata = Object.values(db(service).orm.getMetadata().getAll());
        expect(metadata.map((meta) => meta.tableName).sort()).to.deep.equal([...schema.tables].sort());
        for (const meta of metadata) {
          for (const prop of meta.props) {
            for (const field of prop.fieldNames ?? []) {
              const key = `${meta.tableName}.${field}`;
              expect(nullable.has(key), `${meta.className}.${prop.name} → ${key} exists`).to.equal(true);
              expect(nullable.get(key), `${meta.className}.${prop.name} → ${key} nullable`).to.equal(
                !!prop.nullable,
              );
            }
          }
        }
      });

      it('keeps every foreign key inside the database, indexed', async () => {
        const foreignKeys = await sql(db(service))<{
          name: string;
          from_table: string;
          to_schema: string;
          to_table: string;
          indexed: boolean;
        }>(
          `SELECT con.conname AS name, src.relname AS from_table, dn.nspname AS to_schema, dst.relname AS to_table,
                  EXISTS (
                    SELECT 1 FROM pg_index i
                     WHERE i.indrelid = con.conrelid
                       AND (i.indkey::int2[])[0:cardinality(con.conkey) - 1] = con.conkey
                  ) AS indexed
             FROM pg_constraint con
             JOIN pg_class src ON src.oid = con.conrelid
             JOIN pg_namespace sn ON sn.oid = src.relnamespace
             JOIN pg_class dst ON dst.oid = con.confrelid
             JOIN pg_namespace dn ON dn.oid = dst.relnamespace
            WHERE con.contype = 'f' AND sn.nspname = 'public' AND NOT src.relispartition`,
        );
        for (const fk of foreignKeys) {
          expect(`${fk.to_schema}.${fk.to_table}`, fk.name).to.be.oneOf(
            schema.tables.map((t) => `public.${t}`),
          );
          expect(fk.indexed, `${fk.name} has an index leading with its columns`).to.equal(true);
        }
      });

      it('indexes every cross-service reference column', async () => {
        for (const ref of schema.crossServiceRefs) {
          const [table, column] = ref.split('.');
          const rows = await sql(db(service))<{ indexname: string }>(
            `SELECT ic.relname AS indexname
               FROM pg_index i
               JOIN pg_class ic ON ic.oid = i.indexrelid
               JOIN pg_class t ON t.oid = i.indrelid
               JOIN pg_namespace n ON n.oid = t.relnamespace
               JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
              WHERE n.nspname = 'public' AND t.relname = ? AND a.attname = ?`,
            [table, column],
          );
          expect(rows.length, `an index leads with ${ref}`).to.be.greaterThan(0);
        }
      });

      it(`partitions ${schema.partitioned.length ? schema.partitioned.join(', ') : 'nothing'} by month`, async () => {
        const run = sql(db(service));
        const partitioned = await run<{ table_name: string; strategy: string; key: string }>(
          `SELECT c.relname AS table_name, p.partstrat AS strategy, a.attname AS key
             FROM pg_partitioned_table p
             JOIN pg_class c ON c.oid = p.partrelid
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0]`,
        );
        expect(partitioned.map((p) => p.table_name).sort()).to.deep.equal([...schema.partitioned].sort());
        for (const p of partitioned)
          expect([p.strategy, p.key], p.table_name).to.deep.equal(['r', 'created_at']);

        const now = new Date();
        await ensureMonthlyPartitions(db(service).orm.em.fork(), schema.partitioned, { monthsAhead: 3 });
        for (const table of schema.partitioned) {
          const partitions = await run<{ name: string; schema: string; bound: string }>(
            `SELECT c.relname AS name, n.nspname AS schema, pg_get_expr(c.relpartbound, c.oid) AS bound
               FROM pg_inherits i
               JOIN pg_class c ON c.oid = i.inhrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE i.inhparent = to_regclass(?)`,
            [`public.${table}`],
          );
          const expected = [`${table}_default`];
          for (let m = 0; m <= 3; m++) {
            expected.push(
              monthlyPartitionName(table, new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + m))),
            );
          }
          expect(partitions.map((p) => p.name)).to.include.members(expected);
          for (const p of partitions) expect(p.schema, p.name).to.equal(PARTITION_SCHEMA);
          expect(partitions.find((p) => p.name === `${table}_default`)?.bound).to.equal('DEFAULT');
          const pk = await run<{ attname: string }>(
            `SELECT a.attname FROM pg_index i
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
              WHERE i.indrelid = to_regclass(?) AND i.indisprimary`,
            [`public.${table}`],
          );
          expect(pk.map((row) => row.attname).sort(), `${table} primary key`).to.deep.equal([
            'created_at',
            'id',
          ]);
        }
      });

      it('accepts a valid row in every table', async () => {
        const fixture = await schema.seed(insertInto(db(service)));
        fixtures.set(service, fixture);
        for (const table of schema.tables) {
          const [row] = await sql(db(service))<{ count: string | number }>(
            `SELECT count(*) AS count FROM ${table}`,
          );
          expect(Number(row?.count), `${table} has a row`).to.be.greaterThan(0);
        }
      });

      if (schema.partitioned.length > 0) {
        it('takes rows dated next month, in a year and in ten years without a hitch', async () => {
          const fixture = fixtures.get(service);
          if (!fixture || !schema.dated) throw new Error('the valid rows were not inserted');
          const now = new Date();
          const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 15));
          const nextYear = new Date(Date.UTC(now.getUTCFullYear() + 1, now.getUTCMonth(), 15));
          const tenYears = new Date(Date.UTC(now.getUTCFullYear() + 10, 0, 1));
          for (const [when, partition] of [
            [nextMonth, (table: string) => monthlyPartitionName(table, nextMonth)],
            [nextYear, (table: string) => `${table}_default`],
            [tenYears, (table: string) => `${table}_default`],
          ] as const) {
            for (const [table, row] of schema.dated(fixture, when)) {
              await insertInto(db(service))(table, row);
              const [placed] = await sql(db(service))<{ place: string }>(
                `SELECT tableoid::regclass::text AS place FROM ${table} WHERE id = ?`,
                [row.id],
              );
              expect(placed?.place, `${table} row of ${when.toISOString()}`).to.equal(
                `${PARTITION_SCHEMA}.${partition(table)}`,
              );
            }
          }
        });
      }

      describe('rejects a row that breaks a rule', () => {
        for (const rule of schema.rules) {
          it(`${rule.rule} (${rule.code} ${rule.name})`, async () => {
            const fixture = fixtures.get(service);
            if (!fixture) throw new Error('the valid rows were not inserted');
            const [table, row] = rule.row(fixture);
            let failure: PgError | undefined;
            try {
              await insertInto(db(service))(table, row);
            } catch (error) {
              failure = error as PgError;
            }
            expect(failure, 'the insert fails').to.not.equal(undefined);
            expect(failure?.code, failure?.message).to.equal(rule.code);
            const named = rule.code === '23502' ? failure?.column : failure?.constraint;
            expect(named, failure?.message).to.equal(rule.name);
          });
        }
      });

      it('writes and reads through the ORM', async () => {
        await schema.orm(db(service).orm.em.fork(), fixtures.get(service) ?? {});
      });
    });
  }

  // Last (mocha runs a suite's own tests before its child suites, so this sits in a suite of its own).
  describe('every database', () => {
    it('reverts its service migrations and applies them again', async () => {
      for (const schema of SCHEMAS) {
        const database = db(schema.service);
        const migrator = database.orm.getMigrator();
        const names = schema.definition.migrations.map((migration) => migration.name);
        const reverted = await migrator.down({ migrations: [...names].reverse() });
        expect(reverted.map((m) => m.name)).to.deep.equal([...names].reverse());
        const left = await sql(database)(
          `SELECT table_schema, table_name FROM information_schema.tables
          WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'infra')`,
        );
        expect(left, `${schema.definition.name} after down`).to.deep.equal([]);
        expect(await migrateDatabase(database)).to.deep.equal(names);
      }
    });
  });
});
