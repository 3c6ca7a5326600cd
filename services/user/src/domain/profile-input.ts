import type { UpdateMyProfileRequest } from '../../../../gen/ecommerce/user/v1/user.js';
import type { UserProfile } from '../entities/user-profile.js';
import { Violations } from '../../../../lib/validation/index.js';
import { E164 } from '../../../../lib/validation/postal-address.js';

type ProfileChanges = Partial<
  Pick<
    UserProfile,
    | 'firstName'
    | 'lastName'
    | 'phone'
    | 'avatarUrl'
    | 'dateOfBirth'
    | 'preferredCurrency'
    | 'preferredLanguage'
    | 'newsletterSubscribed'
    | 'marketingOptIn'
  >
>;

const CURRENCY = /^[A-Z]{3}$/;
// BCP 47 in the shape the database accepts: a 2-3 letter language, then subtags.
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/** The changes an UpdateMyProfile asks for; every field at fault is reported at once. */
export function profileChangesFrom(request: UpdateMyProfileRequest): ProfileChanges {
  const violations = new Violations();
  const changes: ProfileChanges = {};
  if (request.firstName !== undefined)
    changes.firstName = violations.text('first_name', request.firstName, 1, 100);
  if (request.lastName !== undefined)
    changes.lastName = violations.text('last_name', request.lastName, 1, 100);
  if (request.phone !== undefined) {
    const phone = request.phone.trim();
    if (phone !== '' && !E164.test(phone))
      violations.add('phone', 'must be in E.164 format, e.g. +14155550100');
    changes.phone = phone === '' ? null : phone;
  }
  if (request.avatarUrl !== undefined) {
    const url = request.avatarUrl.trim();
    if (url !== '' && (url.length > 500 || !isHttpsUrl(url)))
      violations.add('avatar_url', 'must be an https URL of at most 500 characters');
    changes.avatarUrl = url === '' ? null : url;
  }
  if (request.dateOfBirth !== undefined) {
    const date = request.dateOfBirth.trim();
    const today = new Date().toISOString().slice(0, 10);
    if (date !== '' && (!isCalendarDate(date) || date < '1900-01-01' || date > today))
      violations.add('date_of_birth', 'must be a date YYYY-MM-DD from 1900-01-01 up to today');
    changes.dateOfBirth = date === '' ? null : date;
  }
  if (request.preferredCurrency !== undefined) {
    if (!CURRENCY.test(request.preferredCurrency))
      violations.add('preferred_currency', 'must be an ISO 4217 code in upper case, e.g. EUR');
    changes.preferredCurrency = request.preferredCurrency;
  }
  if (request.preferredLanguage !== undefined) {
    if (request.preferredLanguage.length > 35 || !LANGUAGE.test(request.preferredLanguage))
      violations.add('preferred_language', 'must be a BCP 47 language tag such as en or de-CH');
    changes.preferredLanguage = request.preferredLanguage;
  }
  if (request.newsletterSubscribed !== undefined) changes.newsletterSubscribed = request.newsletterSubscribed;
  if (request.marketingOptIn !== undefined) changes.marketingOptIn = request.marketingOptIn;
  violations.throwIfAny();
  return changes;
}
