import { invalidArguments, type FieldViolation } from '../errors.js';
import { isUuid } from '../ids.js';
import { emailProblem } from './email.js';

/**
 * The domain checks of one request (required, format, range), each naming its field: every field
 * at fault is collected, then refused at once (INVALID_ARGUMENT with one `FieldViolation` per
 * field). Each check returns the value normalised (trimmed, lower-cased ids), whatever it found.
 * Generic limits of the wire (NUL bytes, lengths the contract declares, enum values) are checked
 * at the gRPC edge before a handler runs.
 */
export class Violations {
  private readonly list: FieldViolation[] = [];

  add(field: string, description: string): void {
    this.list.push({ field, description });
  }

  /** Whether a field already has a violation (a later rule that depends on it can stay quiet). */
  has(field: string): boolean {
    return this.list.some((violation) => violation.field === field);
  }

  /**
   * A required UUID, lower-cased. Not trimmed: a padded id is refused, so a caller that goes on
   * with the request's own value never sends the database something that is not a UUID.
   */
  uuid(field: string, value: string): string {
    if (value.trim() === '') this.add(field, 'is required');
    else if (!isUuid(value)) this.add(field, 'must be a UUID');
    return value.toLowerCase();
  }

  /** A UUID or nothing ('' → null). */
  optionalUuid(field: string, value: string): string | null {
    return value === '' ? null : this.uuid(field, value);
  }

  /** A required text of `min`-`max` characters after trimming; returns the trimmed text. */
  text(field: string, value: string, min: number, max: number): string {
    const trimmed = value.trim();
    if (min > 0 && trimmed === '') this.add(field, 'is required');
    else if (trimmed.length < min || trimmed.length > max)
      this.add(field, `must be ${min}-${max} characters`);
    return trimmed;
  }

  /** A text of at most `max` characters after trimming, or nothing ('' → null). */
  optionalText(field: string, value: string, max: number): string | null {
    const trimmed = value.trim();
    if (trimmed.length > max) this.add(field, `must be at most ${max} characters`);
    return trimmed === '' ? null : trimmed;
  }

  /** A required email address, trimmed and lower-cased (the rule of `normaliseEmail`). */
  email(field: string, value: string): string {
    const email = value.trim().toLowerCase();
    const problem = emailProblem(email);
    if (problem) this.add(field, problem);
    return email;
  }

  /** A whole number within [min, max]. */
  wholeNumber(field: string, value: number, min: number, max: number): number {
    if (!Number.isInteger(value) || value < min || value > max) {
      this.add(field, `must be a whole number from ${min} to ${max}`);
    }
    return value;
  }

  /** Throws INVALID_ARGUMENT naming every violation, if there is any. */
  throwIfAny(): void {
    if (this.list.length > 0) throw invalidArguments(this.list);
  }
}

/** Runs checks on one collector and refuses their violations, or returns what they returned. */
export function checked<T>(checks: (v: Violations) => T): T {
  const violations = new Violations();
  const value = checks(violations);
  violations.throwIfAny();
  return value;
}

/** A required UUID field, lower-cased, or INVALID_ARGUMENT naming it. */
export function requireUuid(field: string, value: string): string {
  return checked((v) => v.uuid(field, value));
}

/** A required text of at most `max` characters after trimming, or INVALID_ARGUMENT naming it. */
export function requireText(field: string, value: string, max: number): string {
  return checked((v) => {
    const text = v.optionalText(field, value, max);
    if (text === null) v.add(field, 'is required');
    return text ?? '';
  });
}

/** A text of at most `max` characters after trimming ('' → null), or INVALID_ARGUMENT naming it. */
export function optionalText(field: string, value: string, max: number): string | null {
  return checked((v) => v.optionalText(field, value, max));
}
