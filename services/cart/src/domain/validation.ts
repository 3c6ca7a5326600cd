import { invalidArguments, type FieldViolation } from '../../../../lib/errors.js';
import { isUuid } from '../../../../lib/ids.js';

/** Collects every field a request got wrong, then refuses it once, naming them all. */
export class RequestCheck {
  private readonly violations: FieldViolation[] = [];

  /** A required UUID. */
  uuid(value: string, field: string): string {
    if (value === '') this.violations.push({ field, description: 'is required' });
    else if (!isUuid(value)) this.violations.push({ field, description: 'must be a UUID' });
    return value;
  }

  /** An optional UUID (empty allowed). */
  optionalUuid(value: string, field: string): string {
    if (value !== '' && !isUuid(value)) this.violations.push({ field, description: 'must be a UUID' });
    return value;
  }

  /** A whole number within [min, max]. */
  quantity(value: number, field: string, min: number, max: number): number {
    if (!Number.isInteger(value) || value < min || value > max) {
      this.violations.push({ field, description: `must be a whole number from ${min} to ${max}` });
    }
    return value;
  }

  add(field: string, description: string): void {
    this.violations.push({ field, description });
  }

  /** Throws INVALID_ARGUMENT listing every violation, if there is any. */
  done(): void {
    if (this.violations.length > 0) throw invalidArguments(this.violations);
  }
}
