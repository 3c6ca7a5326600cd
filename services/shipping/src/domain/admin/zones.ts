import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type {
  CreateZoneRequest,
  ShippingZone as ShippingZoneMessage,
  UpdateZoneRequest,
} from '../../../../../gen/ecommerce/shipping/v1/shipping.js';
import { ShippingReason } from '../../../../../lib/error-reasons.js';
import { failedPrecondition, notFound } from '../../../../../lib/errors.js';
import { COUNTRY_CODES } from '../../../../../lib/iso-3166.js';
import { keysetPageOf, pageFrom, type PageInput } from '../../../../../lib/paging/index.js';
import { checked, requireUuid } from '../../../../../lib/validation/index.js';
import { ShippingZone } from '../../entities/index.js';
import { isStillReferenced } from './still-referenced.js';
import { zoneMessage } from './views.js';
import {
  checkZoneLists,
  countriesOf,
  postalPatternsOf,
  priorityOf,
  statesOf,
  zoneTypeOf,
} from './zone-input.js';

/** CreateZone: a zone, active unless asked otherwise. */
export async function createZone(em: EntityManager, input: CreateZoneRequest): Promise<ShippingZoneMessage> {
  const zone = checked((v) => {
    const lists = {
      countries: countriesOf(v, 'countries', input.countries),
      states: statesOf(v, 'states', input.states),
      postalPatterns: postalPatternsOf(v, 'postal_patterns', input.postalPatterns),
    };
    checkZoneLists(v, lists, { states: 'states', postalPatterns: 'postal_patterns' });
    return {
      name: v.text('name', input.name, 1, 200),
      type: zoneTypeOf(lists),
      countries: lists.countries,
      states: lists.states,
      postalCodes: lists.postalPatterns,
      priority: priorityOf(v, 'priority', input.priority),
      isActive: input.active ?? true,
    };
  });
  return em.transactional(async (tx) => {
    const created = tx.create(ShippingZone, zone);
    await tx.flush();
    return zoneMessage(created);
  });
}

export async function getZone(em: EntityManager, zoneId: string): Promise<ShippingZoneMessage> {
  const id = requireUuid('zone_id', zoneId);
  const zone = await em.findOne(ShippingZone, id);
  if (!zone) throw notFound('shipping zone', id);
  return zoneMessage(zone);
}

/** ListZones: oldest first (ids are UUIDv7), keyset pages on the id; optionally of one country. */
export async function listZones(
  em: EntityManager,
  input: { country: string; page?: PageInput | undefined },
): Promise<{ zones: ShippingZoneMessage[]; nextPageToken: string }> {
  const country = checked((v) => {
    if (input.country !== '' && !COUNTRY_CODES.has(input.country)) {
      v.add('country', 'must be an assigned ISO 3166-1 alpha-2 code in upper case, e.g. DE');
    }
    return input.country;
  });
  const page = keysetPageOf(input.page, { listing: 'zones', country }, 'none');
  const query = em
    .createQueryBuilder(ShippingZone)
    .orderBy({ id: 'asc' })
    .limit(page.size + 1);
  if (page.after) query.andWhere({ id: { $gt: page.after.id } });
  if (country !== '') query.andWhere('countries @> ?::jsonb', [JSON.stringify([country])]);
  const { rows, nextPageToken } = pageFrom(await query.getResultList(), page, (zone) => ({
    key: '',
    id: zone.id,
  }));
  return { zones: rows.map(zoneMessage), nextPageToken };
}

/** UpdateZone: the fields set; the resulting lists are checked together. */
export async function updateZone(em: EntityManager, input: UpdateZoneRequest): Promise<ShippingZoneMessage> {
  const id = requireUuid('zone_id', input.zoneId);
  const change = checked((v) => ({
    name: input.name === undefined ? undefined : v.text('name', input.name, 1, 200),
    countries: input.countries && countriesOf(v, 'countries.values', input.countries.values),
    states: input.states && statesOf(v, 'states.values', input.states.values),
    postalPatterns:
      input.postalPatterns && postalPatternsOf(v, 'postal_patterns.values', input.postalPatterns.values),
    priority: input.priority === undefined ? undefined : priorityOf(v, 'priority', input.priority),
  }));
  return em.transactional(async (tx) => {
    const zone = await tx.findOne(ShippingZone, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!zone) throw notFound('shipping zone', id);
    const lists = {
      countries: change.countries ?? zone.countries,
      states: change.states ?? zone.states,
      postalPatterns: change.postalPatterns ?? zone.postalCodes,
    };
    checked((v) => checkZoneLists(v, lists, { states: 'states', postalPatterns: 'postal_patterns' }));
    if (change.name !== undefined) zone.name = change.name;
    if (change.priority !== undefined) zone.priority = change.priority;
    if (input.active !== undefined) zone.isActive = input.active;
    zone.countries = lists.countries;
    zone.states = lists.states;
    zone.postalCodes = lists.postalPatterns;
    zone.type = zoneTypeOf(lists);
    await tx.flush();
    return zoneMessage(zone);
  });
}

/**
 * DeleteZone: the zone with its methods and their tiers (cascade). A method that shipments used
 * keeps the zone: FAILED_PRECONDITION SHIPPING_METHOD_IN_USE.
 */
export async function deleteZone(em: EntityManager, zoneId: string): Promise<boolean> {
  const id = requireUuid('zone_id', zoneId);
  try {
    return await em.transactional(async (tx) => {
      const deleted = await tx.execute('DELETE FROM shipping_zones WHERE id = ? RETURNING id', [id]);
      return deleted.length > 0;
    });
  } catch (error) {
    if (isStillReferenced(error)) {
      throw failedPrecondition(
        `shipping zone ${id} has a method that shipments used: deactivate the zone instead`,
        ShippingReason.SHIPPING_METHOD_IN_USE,
        { zone_id: id },
      );
    }
    throw error;
  }
}
