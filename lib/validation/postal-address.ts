import type { Address } from '../../gen/ecommerce/common/v1/address.js';
import { COUNTRY_CODES } from '../iso-3166.js';
import type { Violations } from './violations.js';

/** E.164: a plus sign and 8-15 digits, the first not zero. */
export const E164 = /^\+[1-9][0-9]{7,14}$/;

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

/**
 * The rules of ecommerce.common.v1.Address (its proto comments), every violation named
 * `<field>.<part>` (`address.country`), so every service that takes an address judges it alike.
 */
export function postalFieldsFrom(
  address: Address | undefined,
  violations: Violations,
  field = 'address',
): PostalFields {
  if (!address) {
    violations.add(field, 'is required');
    return undefined as unknown as PostalFields;
  }
  const fields: PostalFields = {
    firstName: violations.text(`${field}.first_name`, address.firstName, 1, 100),
    lastName: violations.text(`${field}.last_name`, address.lastName, 1, 100),
    company: violations.optionalText(`${field}.company`, address.company, 100),
    line1: violations.text(`${field}.line1`, address.line1, 1, 200),
    line2: violations.optionalText(`${field}.line2`, address.line2, 200),
    city: violations.text(`${field}.city`, address.city, 1, 100),
    state: violations.optionalText(`${field}.state`, address.state, 100),
    postalCode: violations.optionalText(`${field}.postal_code`, address.postalCode, 20),
    country: address.country,
    phone: address.phone.trim() === '' ? null : address.phone.trim(),
  };
  if (!COUNTRY_CODES.has(fields.country))
    violations.add(`${field}.country`, 'must be an assigned ISO 3166-1 alpha-2 code in upper case, e.g. US');
  if (fields.phone !== null && !E164.test(fields.phone))
    violations.add(`${field}.phone`, 'must be in E.164 format, e.g. +14155550100');
  return fields;
}

type OptionalPart = 'company' | 'line2' | 'state' | 'postalCode' | 'phone';

/** Postal fields as a table stores them: the optional ones null (or absent) when not given. */
export type StoredPostalFields = Omit<PostalFields, OptionalPart> & { [K in OptionalPart]?: string | null };

/** Stored postal fields (optional ones null) as the contract's Address (optional ones ''). */
export function addressMessageOf(fields: StoredPostalFields): Address {
  return {
    firstName: fields.firstName,
    lastName: fields.lastName,
    company: fields.company ?? '',
    line1: fields.line1,
    line2: fields.line2 ?? '',
    city: fields.city,
    state: fields.state ?? '',
    postalCode: fields.postalCode ?? '',
    country: fields.country,
    phone: fields.phone ?? '',
  };
}
