import { ProductServiceService, ReviewModeration } from '../../../../gen/ecommerce/product/v1/product.js';
import { allow } from '../../../../lib/auth/access-rule.js';
import { permissionDenied } from '../../../../lib/errors.js';
import type { ServiceHandlers } from '../../../../lib/grpc/index.js';
import { createReview, listReviews, moderateReview } from '../reviews/reviews.js';
import { CATALOG_WRITE, isEditor, type HandlerDeps } from './context.js';

type Handlers = ServiceHandlers<typeof ProductServiceService>;
type ReviewHandlers = Pick<Handlers, 'createReview' | 'moderateReview' | 'listReviews'>;

export function reviewHandlers({ orm, cache }: HandlerDeps): ReviewHandlers {
  return {
    createReview: {
      access: allow.authenticated(),
      handle: async (request, ctx) => ({
        review: await createReview(orm.em.fork(), ctx.principal!.userId, request),
      }),
    },
    moderateReview: {
      access: allow.permission(CATALOG_WRITE),
      async handle(request) {
        const { review, rating, productId } = await moderateReview(orm.em.fork(), request);
        cache.invalidate(productId);
        return { review, rating };
      },
    },
    listReviews: {
      access: allow.public(),
      async handle(request, ctx) {
        const editor = isEditor(ctx);
        if (request.moderation !== ReviewModeration.REVIEW_MODERATION_UNSPECIFIED && !editor) {
          throw permissionDenied(`moderation requires permission ${CATALOG_WRITE}`);
        }
        const { reviews, nextPageToken } = await listReviews(
          orm.em.fork(),
          {
            productId: request.productId,
            pageSize: request.page?.pageSize,
            pageToken: request.page?.pageToken,
            moderation: request.moderation,
          },
          editor,
        );
        return { reviews, page: { nextPageToken } };
      },
    },
  };
}
