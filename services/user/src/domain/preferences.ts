import type { EntityManager } from '@mikro-orm/postgresql';
import { UserReason } from '../../../../lib/error-reasons.js';
import type { Preference } from '../../../../gen/ecommerce/user/v1/user.js';
import { failedPrecondition, invalidArgument, notFound } from '../../../../lib/errors.js';
import { newId } from '../../../../lib/ids.js';
import { UserPreference } from '../entities/user-preference.js';
import { lockCustomer } from './customer.js';
import { firstInexactNumber } from './json-numbers.js';

export const MAX_PREFERENCES = 100;
export const MAX_VALUE_BYTES = 4096;
const KEY = /^[a-z][a-z0-9_.-]{0,63}$/;

function requireKey(key: string): string {
  if (key === '') throw invalidArgument('key', 'is required');
  if (!KEY.test(key))
    throw invalidArgument('key', 'must be 1-64 characters: a lower-case letter, then a-z, 0-9, _ . or -');
  return key;
}

function parseValue(valueJson: string): unknown {
  if (valueJson === '') throw invalidArgument('value_json', 'is required (JSON text; "null" for null)');
  if (Buffer.byteLength(valueJson, 'utf8') > MAX_VALUE_BYTES)
    throw invalidArgument('value_json', `must be at most ${MAX_VALUE_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(valueJson);
  } catch {
    throw invalidArgument('value_json', 'must be valid JSON');
  }
  // Refused rather than stored changed: the value is kept as JavaScript reads it.
  const inexact = firstInexactNumber(valueJson);
  if (inexact !== undefined)
    throw invalidArgument(
      'value_json',
      `number ${inexact.length > 40 ? `${inexact.slice(0, 40)}…` : inexact} cannot be kept exactly (a 64-bit float: at most 15-17 significant digits, magnitude below 1.8e308)`,
    );
  return value;
}

function preferenceMessage(row: { key: string; value: unknown; updatedAt: Date }): Preference {
  return { key: row.key, valueJson: JSON.stringify(row.value), updatedAt: row.updatedAt };
}

export async function getPreference(em: EntityManager, userId: string, key: string): Promise<Preference> {
  const found = await em.findOne(UserPreference, { userId, key: requireKey(key) });
  if (!found) throw notFound('preference', key);
  return preferenceMessage(found);
}

/** Creates or replaces the value of one key (one upsert under the customer's lock). */
export async function setPreference(
  em: EntityManager,
  userId: string,
  key: string,
  valueJson: string,
): Promise<Preference> {
  requireKey(key);
  const value = parseValue(valueJson);
  return em.transactional(async (tx) => {
    await lockCustomer(tx, userId);
    const isNew = (await tx.count(UserPreference, { userId, key })) === 0;
    if (isNew && (await tx.count(UserPreference, { userId })) >= MAX_PREFERENCES)
      throw failedPrecondition(
        `a user has at most ${MAX_PREFERENCES} preferences`,
        UserReason.PREFERENCES_FULL,
        {
          limit: String(MAX_PREFERENCES),
        },
      );
    const [row] = await tx.execute<{ value: unknown; updated_at: Date }[]>(
      `INSERT INTO user_preferences (id, user_id, key, value) VALUES (?, ?, ?, ?::jsonb)
       ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value, updated_at = now()
       RETURNING value, updated_at`,
      [newId(), userId, key, JSON.stringify(value)],
    );
    // The value as jsonb keeps it (object keys reordered), so that Set and Get answer the same text.
    return preferenceMessage({ key, value: row!.value, updatedAt: new Date(row!.updated_at) });
  });
}

export async function deletePreference(em: EntityManager, userId: string, key: string): Promise<void> {
  const deleted = await em.nativeDelete(UserPreference, { userId, key: requireKey(key) });
  if (deleted === 0) throw notFound('preference', key);
}
