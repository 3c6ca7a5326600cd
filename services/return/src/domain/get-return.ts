import type { EntityManager } from '@mikro-orm/postgresql';
import type { Return as ReturnMessage } from '../../../../gen/ecommerce/return/v1/return.js';
import { requireUuid } from '../../../../lib/validation/index.js';
import { findReturn, type ReturnAccess } from './find-return.js';
import { returnView } from './return-view.js';

/** GetReturn: one return, if the caller reaches it (another customer's is NOT_FOUND). */
export async function getReturn(
  em: EntityManager,
  access: ReturnAccess,
  returnIdText: string,
): Promise<ReturnMessage> {
  const returnId = requireUuid('return_id', returnIdText);
  return returnView(em, await findReturn(em, access, returnId));
}
