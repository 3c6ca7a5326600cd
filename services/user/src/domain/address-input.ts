import type { Address as AddressMessage } from '../../../../gen/ecommerce/common/v1/address.js';
import { AddressType } from '../../../../gen/ecommerce/user/v1/user.js';
import { COUNTRY_CODES } from '../../../../lib/iso-3166.js';
import { Violations } from '../../../../lib/validation/index.js';
import { E164 } from './phone.js';
import type { AddressType as AddressTypeName } from '../entities/address.js';

/** The postal fields of an address, checked and trimmed (empty optional fields are null). */
export interface PostalFields {
  firstName: string;
  lastName: string;
  company: string | null;
  line1: string;
  line2: string | null;
  city: string;
  state: string | null;
  postalCode: string | null;
  country: string;
  phone: string | null;
}

export const ADDRESS_TYPES: Record<number, AddressTypeName> = {
  [AddressType.ADDRESS_TYPE_SHIPPING]: 'shipping',
  [AddressType.ADDRESS_TYPE_BILLING]: 'billing',
};

export function addressTypeFrom(type: AddressType, violations: Violations): AddressTypeName {
  const name = ADDRESS_TYPES[type];
  if (!name) violations.add('type', 'must be ADDRESS_TYPE_SHIPPING or ADDRESS_TYPE_BILLING');
  return name ?? 'shipping';
}

/** The rules of ecommerce.common.v1.Address, every violation named `address.<field>`. */
export function postalFieldsFrom(address: AddressMessage | undefined, violations: Violations): PostalFields {
  if (!address) {
    violations.add('address', 'is required');
    return undefined as unknown as PostalFields;
  }
  const fields: PostalFields = {
    firstName: violations.text('address.first_name', address.firstName, 1, 100),
    lastName: violations.text('address.last_name', address.lastName, 1, 100),
    company: violations.optionalText('address.company', address.company, 100),
    line1: violations.text('address.line1', address.line1, 1, 200),
    line2: violations.optionalText('address.line2', address.line2, 200),
    city: violations.text('address.city', address.city, 1, 100),
    state: violations.optionalText('address.state', address.state, 100),
    postalCode: violations.optionalText('address.postal_code', address.postalCode, 20),
    country: address.country,
    phone: address.phone.trim() === '' ? null : address.phone.trim(),
  };
  if (!COUNTRY_CODES.has(fields.country))
    violations.add('address.country', 'must be an assigned ISO 3166-1 alpha-2 code in upper case, e.g. US');
  if (fields.phone !== null && !E164.test(fields.phone))
    violations.add('address.phone', 'must be in E.164 format, e.g. +14155550100');
  return fields;
}
