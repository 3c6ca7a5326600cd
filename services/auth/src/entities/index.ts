import { EmailVerificationToken } from './email-verification-token.js';
import { PasswordResetToken } from './password-reset-token.js';
import { RefreshToken } from './refresh-token.js';
import { Role } from './role.js';
import { SecurityAuditLog } from './security-audit-log.js';
import { UserRole } from './user-role.js';
import { User } from './user.js';

export { EmailVerificationToken, PasswordResetToken, RefreshToken, Role, SecurityAuditLog, User, UserRole };

export const authEntities = [
  User,
  Role,
  UserRole,
  RefreshToken,
  PasswordResetToken,
  EmailVerificationToken,
  SecurityAuditLog,
];
