import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { AuthReason } from '../../../../lib/error-reasons.js';
import { alreadyExists, invalidArgument } from '../../../../lib/errors.js';
import { publishEvent } from '../../../../lib/events/index.js';
import { newId } from '../../../../lib/ids.js';
import { Role } from '../entities/role.js';
import { User } from '../entities/user.js';
import { UserRole } from '../entities/user-role.js';
import { UserRegisteredEvent } from '../../../../lib/events/catalog.js';
import { recordSecurityEvent } from './audit.js';
import type { ClientInfo } from './client-info.js';
import { normaliseEmail } from '../../../../lib/validation/email.js';
import { issueEmailVerification } from './email-verification.js';
import type { EmailLinks } from './links.js';
import { hashPassword } from './password-hash.js';
import { checkPasswordPolicy } from './password-policy.js';

export const CUSTOMER_ROLE = 'customer';
const MAX_NAME_LENGTH = 100;

export interface Registration {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
}

function checkName(value: string, field: string): string {
  const name = value.trim();
  if (name === '') throw invalidArgument(field, 'is required');
  if (name.length > MAX_NAME_LENGTH)
    throw invalidArgument(field, `must be at most ${MAX_NAME_LENGTH} characters`);
  return name;
}

function duplicateEmail(email: string) {
  return alreadyExists('account', `email ${email} is already registered`, AuthReason.EMAIL_TAKEN);
}

/**
 * Creates an account with the customer role, audits it and emits `auth.user.registered` and the
 * verification link (`auth.email_verification.requested`), all in one transaction. The password is hashed before the transaction opens (it is the slow part).
 */
export async function registerUser(
  em: EntityManager,
  links: EmailLinks,
  input: Registration,
  client: ClientInfo,
): Promise<{ userId: string; email: string }> {
  const email = normaliseEmail(input.email);
  checkPasswordPolicy(input.password, email);
  const firstName = checkName(input.firstName, 'first_name');
  const lastName = checkName(input.lastName, 'last_name');
  if ((await em.count(User, { email })) > 0) throw duplicateEmail(email);
  const passwordHash = await hashPassword(input.password);
  try {
    return await em.transactional(async (tx) => {
      const user = tx.create(User, { id: newId(), email, passwordHash });
      const customer = await tx.findOneOrFail(Role, { name: CUSTOMER_ROLE });
      tx.create(UserRole, { user, role: customer });
      recordSecurityEvent(tx, { action: 'register', userId: user.id, email, client });
      await publishEvent(tx, 'auth', UserRegisteredEvent, {
        userId: user.id,
        email,
        firstName,
        lastName,
        registeredAt: new Date(),
      });
      await tx.flush(); // the verification token's row references the user
      await issueEmailVerification(tx, links, { id: user.id, email, firstName }, client);
      return { userId: user.id, email };
    });
  } catch (error) {
    // Two registrations of one email at once: the unique index decides, the loser hears why.
    if (error instanceof UniqueConstraintViolationException) throw duplicateEmail(email);
    throw error;
  }
}
