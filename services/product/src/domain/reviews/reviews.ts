import { optionalText, requireUuid } from '../../../../../lib/validation/index.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ProductReason } from '../../../../../lib/error-reasons.js';
import {
  ReviewModeration,
  type ProductRating,
  type Review as ReviewMessage,
} from '../../../../../gen/ecommerce/product/v1/product.js';
import { alreadyExists, invalidArgument, notFound } from '../../../../../lib/errors.js';
import { newId } from '../../../../../lib/ids.js';
import { announceProduct } from '../announce.js';
import { keysetPageOf, pageFrom } from '../../../../../lib/paging/index.js';
import { ProductUpdatedEvent } from '../../../../../lib/events/catalog.js';
import { deliveredOrderOf } from './purchases.js';

interface ReviewRow {
  id: string;
  product_id: string;
  user_id: string;
  rating: number;
  title: string | null;
  comment: string | null;
  is_verified_purchase: boolean;
  is_approved: boolean;
  rejected_at: Date | string | null;
  created_at: Date | string;
}

const COLUMNS =
  'id, product_id, user_id, rating, title, comment, is_verified_purchase, is_approved, rejected_at, created_at';

function reviewOf(row: ReviewRow): ReviewMessage {
  return {
    id: row.id,
    productId: row.product_id,
    userId: row.user_id,
    rating: row.rating,
    title: row.title ?? '',
    comment: row.comment ?? '',
    verifiedPurchase: row.is_verified_purchase,
    moderation: row.is_approved
      ? ReviewModeration.REVIEW_MODERATION_APPROVED
      : row.rejected_at !== null
        ? ReviewModeration.REVIEW_MODERATION_REJECTED
        : ReviewModeration.REVIEW_MODERATION_PENDING,
    createdAt: new Date(row.created_at),
  };
}

/** A customer's review of a published product, once per customer and product, pending moderation. */
export async function createReview(
  em: EntityManager,
  userId: string,
  input: { productId: string; rating: number; title: string; comment: string },
): Promise<ReviewMessage> {
  const productId = requireUuid('product_id', input.productId);
  if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) {
    throw invalidArgument('rating', 'must be a whole number from 1 to 5');
  }
  const title = optionalText('title', input.title, 200);
  const comment = optionalText('comment', input.comment, 5000);
  return em.transactional(async (tx) => {
    const [product] = await tx.execute<{ id: string }[]>(
      `SELECT id FROM products WHERE id = ? AND status = 'active' AND is_visible`,
      [productId],
    );
    if (!product) throw notFound('product', productId);
    const orderId = (await deliveredOrderOf(tx, userId, productId)) ?? null;
    // Two racing first reviews: the unique (product, user) pair lets one in; the other finds it.
    const [row] = await tx.execute<ReviewRow[]>(
      `INSERT INTO reviews (id, product_id, user_id, order_id, rating, title, comment, is_verified_purchase)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (product_id, user_id) DO NOTHING
       RETURNING ${COLUMNS}`,
      [newId(), productId, userId, orderId, input.rating, title, comment, orderId !== null],
    );
    if (!row)
      throw alreadyExists(
        'review',
        `you already reviewed product ${productId}`,
        ProductReason.ALREADY_REVIEWED,
      );
    return reviewOf(row);
  });
}

/**
 * Approves or rejects a review and recomputes the product's rating from its approved reviews. The
 * product row is locked first, so two moderations of one product recompute one after the other,
 * each seeing the other's decision.
 */
export async function moderateReview(
  em: EntityManager,
  input: { reviewId: string; decision: ReviewModeration },
): Promise<{ review: ReviewMessage; rating: ProductRating; productId: string }> {
  const reviewId = requireUuid('review_id', input.reviewId);
  if (
    input.decision !== ReviewModeration.REVIEW_MODERATION_APPROVED &&
    input.decision !== ReviewModeration.REVIEW_MODERATION_REJECTED
  ) {
    throw invalidArgument('decision', 'must be APPROVED or REJECTED');
  }
  const approve = input.decision === ReviewModeration.REVIEW_MODERATION_APPROVED;
  return em.transactional(async (tx) => {
    const [found] = await tx.execute<{ product_id: string }[]>(
      'SELECT product_id FROM reviews WHERE id = ?',
      [reviewId],
    );
    if (!found) throw notFound('review', reviewId);
    await tx.execute('SELECT id FROM products WHERE id = ? FOR UPDATE', [found.product_id]);
    const [row] = await tx.execute<ReviewRow[]>(
      `UPDATE reviews SET is_approved = ?, rejected_at = CASE WHEN ? THEN NULL ELSE COALESCE(rejected_at, now()) END,
              updated_at = now()
        WHERE id = ? RETURNING ${COLUMNS}`,
      [approve, approve, reviewId],
    );
    const [before] = await tx.execute<{ rating_avg: string; rating_count: number }[]>(
      'SELECT rating_avg::text AS rating_avg, rating_count FROM products WHERE id = ?',
      [found.product_id],
    );
    const [after] = await tx.execute<{ rating_avg: string; rating_count: number }[]>(
      `UPDATE products p
          SET rating_avg = COALESCE(r.average, 0), rating_count = r.count
         FROM (SELECT round(avg(rating)::numeric, 2) AS average, count(*)::int AS count
                 FROM reviews WHERE product_id = ? AND is_approved) r
        WHERE p.id = ?
        RETURNING p.rating_avg::text AS rating_avg, p.rating_count`,
      [found.product_id, found.product_id],
    );
    if (before!.rating_avg !== after!.rating_avg || before!.rating_count !== after!.rating_count) {
      await tx.execute('UPDATE products SET updated_at = now() WHERE id = ?', [found.product_id], 'run');
      await announceProduct(tx, ProductUpdatedEvent, found.product_id);
    }
    return {
      review: reviewOf(row!),
      rating: { average: Number(after!.rating_avg), count: after!.rating_count },
      productId: found.product_id,
    };
  });
}

/** Reviews of a product, newest first: approved ones, or (editors) those in one moderation state. */
export async function listReviews(
  em: EntityManager,
  input: { productId: string; pageSize?: number; pageToken?: string; moderation: ReviewModeration },
  editor: boolean,
): Promise<{ reviews: ReviewMessage[]; nextPageToken: string }> {
  const productId = requireUuid('product_id', input.productId);
  const state =
    input.moderation === ReviewModeration.REVIEW_MODERATION_UNSPECIFIED
      ? ReviewModeration.REVIEW_MODERATION_APPROVED
      : input.moderation;
  const filter = {
    [ReviewModeration.REVIEW_MODERATION_APPROVED]: 'is_approved',
    [ReviewModeration.REVIEW_MODERATION_PENDING]: 'NOT is_approved AND rejected_at IS NULL',
    [ReviewModeration.REVIEW_MODERATION_REJECTED]: 'rejected_at IS NOT NULL',
  }[state as number];
  if (!filter) throw invalidArgument('moderation', 'is not a known moderation state');
  const page = keysetPageOf(input, { productId, state }, 'timestamp');
  const cursor = page.after;
  const [product] = await em.execute<{ published: boolean }[]>(
    `SELECT status = 'active' AND is_visible AS published FROM products WHERE id = ?`,
    [productId],
  );
  if (!product || (!editor && !product.published)) throw notFound('product', productId);
  const rows = await em.execute<(ReviewRow & { sort_key: string })[]>(
    `SELECT ${COLUMNS}, created_at::text AS sort_key FROM reviews
      WHERE product_id = ? AND ${filter} ${cursor ? 'AND (created_at, id) < (?::timestamptz, ?::uuid)' : ''}
      ORDER BY created_at DESC, id DESC LIMIT ${page.size + 1}`,
    cursor ? [productId, cursor.key, cursor.id] : [productId],
  );
  const shown = pageFrom(rows, page, (row) => ({ key: row.sort_key, id: row.id }));
  return { reviews: shown.rows.map(reviewOf), nextPageToken: shown.nextPageToken };
}
