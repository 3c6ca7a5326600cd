import type { EntityManager } from '@mikro-orm/postgresql';
import { UserReason } from '../../../../lib/error-reasons.js';
import {
  AddressType,
  type CreateAddressRequest,
  type UpdateAddressRequest,
  type UserAddress,
} from '../../../../gen/ecommerce/user/v1/user.js';
import { failedPrecondition, notFound } from '../../../../lib/errors.js';
import { Address, type AddressType as AddressTypeName } from '../entities/address.js';
import { addressMessageOf, postalFieldsFrom } from '../../../../lib/validation/index.js';
import { addressTypeFrom } from './address-input.js';
import { lockCustomer } from './customer.js';
import { requireUuid, Violations } from '../../../../lib/validation/index.js';

export const MAX_ADDRESSES = 20;

const TYPE_MESSAGE: Record<string, AddressType> = {
  shipping: AddressType.ADDRESS_TYPE_SHIPPING,
  billing: AddressType.ADDRESS_TYPE_BILLING,
};

export function addressMessage(address: Address): UserAddress {
  return {
    id: address.id,
    type: TYPE_MESSAGE[address.type] ?? AddressType.ADDRESS_TYPE_UNSPECIFIED,
    isDefault: address.isDefault,
    address: addressMessageOf(address),
    createdAt: address.createdAt,
    updatedAt: address.updatedAt,
  };
}

export function requireAddressId(value: string, field = 'address_id'): string {
  return requireUuid(field, value);
}

/** One of the customer's addresses; another customer's is NOT_FOUND, exactly like a missing one. */
export async function findOwnAddress(em: EntityManager, userId: string, addressId: string): Promise<Address> {
  const address = await em.findOne(Address, { id: addressId, userId });
  if (!address) throw notFound('address', addressId);
  return address;
}

async function clearDefault(tx: EntityManager, userId: string, type: AddressTypeName): Promise<void> {
  await tx.nativeUpdate(Address, { userId, type, isDefault: true }, { isDefault: false });
}

export async function createAddress(
  em: EntityManager,
  userId: string,
  request: CreateAddressRequest,
): Promise<UserAddress> {
  const violations = new Violations();
  const type = addressTypeFrom(request.type, violations);
  const fields = postalFieldsFrom(request.address, violations);
  violations.throwIfAny();

  const address = await em.transactional(async (tx) => {
    await lockCustomer(tx, userId);
    if ((await tx.count(Address, { userId })) >= MAX_ADDRESSES) {
      throw failedPrecondition(
        `an address book holds at most ${MAX_ADDRESSES} addresses`,
        UserReason.ADDRESS_BOOK_FULL,
        {
          limit: String(MAX_ADDRESSES),
        },
      );
    }
    const hasDefault = (await tx.count(Address, { userId, type, isDefault: true })) > 0;
    const isDefault = request.setDefault || !hasDefault;
    if (isDefault && hasDefault) await clearDefault(tx, userId, type);
    return tx.create(Address, { userId, type, isDefault, ...fields });
  });
  return addressMessage(address);
}

export async function listAddresses(
  em: EntityManager,
  userId: string,
  type: AddressType,
): Promise<UserAddress[]> {
  const violations = new Violations();
  const only = type === AddressType.ADDRESS_TYPE_UNSPECIFIED ? undefined : addressTypeFrom(type, violations);
  violations.throwIfAny();
  const addresses = await em.find(Address, only ? { userId, type: only } : { userId }, {
    orderBy: { isDefault: 'desc', createdAt: 'asc', id: 'asc' },
  });
  return addresses.map(addressMessage);
}

export async function updateAddress(
  em: EntityManager,
  userId: string,
  request: UpdateAddressRequest,
): Promise<UserAddress> {
  const addressId = requireAddressId(request.addressId);
  const violations = new Violations();
  const fields = postalFieldsFrom(request.address, violations);
  violations.throwIfAny();
  const address = await findOwnAddress(em, userId, addressId);
  em.assign(address, fields);
  await em.flush();
  return addressMessage(address);
}

/** Deletes the address; a deleted default hands the role to the oldest remaining of its type. */
export async function deleteAddress(em: EntityManager, userId: string, addressId: string): Promise<string> {
  requireAddressId(addressId);
  return em.transactional(async (tx) => {
    await lockCustomer(tx, userId);
    const address = await findOwnAddress(tx, userId, addressId);
    await tx.nativeDelete(Address, { id: address.id });
    if (!address.isDefault) return '';
    const [promoted] = await tx.execute<{ id: string }[]>(
      `UPDATE addresses SET is_default = true, updated_at = now()
        WHERE id = (SELECT id FROM addresses WHERE user_id = ? AND type = ? ORDER BY created_at, id LIMIT 1)
        RETURNING id`,
      [userId, address.type],
    );
    return promoted?.id ?? '';
  });
}

export async function setDefaultAddress(
  em: EntityManager,
  userId: string,
  addressId: string,
): Promise<UserAddress> {
  requireAddressId(addressId);
  const address = await em.transactional(async (tx) => {
    await lockCustomer(tx, userId);
    const found = await findOwnAddress(tx, userId, addressId);
    if (!found.isDefault) {
      await clearDefault(tx, userId, found.type);
      found.isDefault = true;
    }
    return found;
  });
  return addressMessage(address);
}
