import { AddressType } from '../../../../gen/ecommerce/user/v1/user.js';
import type { Violations } from '../../../../lib/validation/index.js';
import type { AddressType as AddressTypeName } from '../entities/address.js';

export const ADDRESS_TYPES: Record<number, AddressTypeName> = {
  [AddressType.ADDRESS_TYPE_SHIPPING]: 'shipping',
  [AddressType.ADDRESS_TYPE_BILLING]: 'billing',
};

export function addressTypeFrom(type: AddressType, violations: Violations): AddressTypeName {
  const name = ADDRESS_TYPES[type];
  if (!name) violations.add('type', 'must be ADDRESS_TYPE_SHIPPING or ADDRESS_TYPE_BILLING');
  return name ?? 'shipping';
}
