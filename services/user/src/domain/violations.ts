import { invalidArguments, type FieldViolation } from '../../../../lib/errors.js';

/** Collects every field at fault of one request, then throws them all at once (INVALID_ARGUMENT). */
export class Violations {
  private readonly list: FieldViolation[] = [];

  add(field: string, description: string): void {
    this.list.push({ field, description });
  }

  /** A required text of `min`-`max` characters after trimming; returns the trimmed text. */
  text(field: string, value: string, min: number, max: number): string {
    const trimmed = value.trim();
    if (min > 0 && trimmed === '') this.add(field, 'is required');
    else if (trimmed.length < min || trimmed.length > max)
      this.add(field, `must be ${min}-${max} characters`);
    return trimmed;
  }

  /** An optional text of at most `max` characters after trimming; '' becomes null. */
  optionalText(field: string, value: string, max: number): string | null {
    const trimmed = value.trim();
    if (trimmed.length > max) this.add(field, `must be at most ${max} characters`);
    return trimmed === '' ? null : trimmed;
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw invalidArguments(this.list);
  }
}

/** E.164: a plus sign and 8-15 digits, the first not zero. */
export const E164 = /^\+[1-9][0-9]{7,14}$/;
