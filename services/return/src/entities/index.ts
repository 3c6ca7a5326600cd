import { Refund } from './refund.js';
import { ReturnAuthorization } from './return-authorization.js';
import { ReturnItem } from './return-item.js';
import { ReturnRequest } from './return-request.js';
import { ReturnStatusHistory } from './return-status-history.js';
import { ReturnTracking } from './return-tracking.js';

export { Refund, ReturnAuthorization, ReturnItem, ReturnRequest, ReturnStatusHistory, ReturnTracking };

export const returnEntities = [
  ReturnRequest,
  ReturnItem,
  ReturnAuthorization,
  ReturnStatusHistory,
  ReturnTracking,
  Refund,
];
