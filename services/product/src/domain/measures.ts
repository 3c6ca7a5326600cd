import type { Dimensions } from '../../../../gen/ecommerce/product/v1/product.js';
import { decimalOfScaledInteger, scaledIntegerOf } from '../../../../lib/db/scaled-decimal.js';
import { invalidArgument } from '../../../../lib/errors.js';

/**
 * Weights and package sizes: whole grams and millimetres in the contract, kilograms
 * (`numeric(10,3)`, so grams exactly) and centimetres (`numeric(10,2)`) in the tables. A size stored
 * with hundredths of a centimetre (only ever written by hand) is read rounded half up to the
 * millimetre. Dimensions go together: all three sides or none.
 */

export const MAX_WEIGHT_GRAMS = 100_000_000;
export const MAX_SIDE_MM = 10_000_000;

/** The weight and size columns of a product or variant row: null means unknown (or the product's). */
export interface MeasureColumns {
  weight: string | null;
  length: string | null;
  width: string | null;
  height: string | null;
}

/** A weight from a request as the `weight` column (kilograms). */
export function weightColumnOf(grams: number, field: string): string {
  if (!Number.isSafeInteger(grams) || grams < 0 || grams > MAX_WEIGHT_GRAMS) {
    throw invalidArgument(field, `must be a whole number of grams from 0 to ${MAX_WEIGHT_GRAMS}`);
  }
  return decimalOfScaledInteger(grams, 3);
}

/** Dimensions from a request as the `length`, `width`, `height` columns (centimetres). */
export function dimensionColumnsOf(
  dimensions: Dimensions,
  field: string,
): Pick<MeasureColumns, 'length' | 'width' | 'height'> {
  const side = (value: number, name: string) => {
    if (!Number.isInteger(value) || value < 1 || value > MAX_SIDE_MM) {
      throw invalidArgument(
        `${field}.${name}`,
        `must be a whole number of millimetres from 1 to ${MAX_SIDE_MM}`,
      );
    }
    return decimalOfScaledInteger(value, 1);
  };
  return {
    length: side(dimensions.lengthMm, 'length_mm'),
    width: side(dimensions.widthMm, 'width_mm'),
    height: side(dimensions.heightMm, 'height_mm'),
  };
}

/** The weight in grams of a `weight` column, undefined when unknown. */
export function gramsOf(weight: string | null): number | undefined {
  return weight === null ? undefined : scaledIntegerOf(weight, 3);
}

/** The dimensions of a row's columns, undefined unless all three sides are known. */
export function dimensionsOf(columns: Omit<MeasureColumns, 'weight'>): Dimensions | undefined {
  const { length, width, height } = columns;
  if (length === null || width === null || height === null) return undefined;
  return {
    lengthMm: scaledIntegerOf(length, 1),
    widthMm: scaledIntegerOf(width, 1),
    heightMm: scaledIntegerOf(height, 1),
  };
}

/**
 * The weight and dimension assignments of an update: set, cleared (null) or unchanged (absent);
 * setting and clearing one thing at once is INVALID_ARGUMENT on the clear flag.
 */
export function measureAssignments(
  change: {
    weightGrams?: number | undefined;
    clearWeight: boolean;
    dimensions: Dimensions | undefined;
    clearDimensions: boolean;
  },
  prefix: string,
): Array<[column: string, value: string | null]> {
  const field = (name: string) => (prefix ? `${prefix}.${name}` : name);
  const set: Array<[string, string | null]> = [];
  if (change.weightGrams !== undefined && change.clearWeight) {
    throw invalidArgument(field('clear_weight'), 'cannot be set together with weight_grams');
  }
  if (change.dimensions && change.clearDimensions) {
    throw invalidArgument(field('clear_dimensions'), 'cannot be set together with dimensions');
  }
  if (change.weightGrams !== undefined) {
    set.push(['weight', weightColumnOf(change.weightGrams, field('weight_grams'))]);
  }
  if (change.clearWeight) set.push(['weight', null]);
  if (change.dimensions) {
    const sides = dimensionColumnsOf(change.dimensions, field('dimensions'));
    set.push(['length', sides.length], ['width', sides.width], ['height', sides.height]);
  }
  if (change.clearDimensions) set.push(['length', null], ['width', null], ['height', null]);
  return set;
}

/** The measure columns of a new product or variant (unset fields: null). */
export function newMeasureColumns(
  input: { weightGrams?: number | undefined; dimensions: Dimensions | undefined },
  prefix: string,
): MeasureColumns {
  const field = (name: string) => (prefix ? `${prefix}.${name}` : name);
  const sides = input.dimensions ? dimensionColumnsOf(input.dimensions, field('dimensions')) : undefined;
  return {
    weight: input.weightGrams === undefined ? null : weightColumnOf(input.weightGrams, field('weight_grams')),
    length: sides?.length ?? null,
    width: sides?.width ?? null,
    height: sides?.height ?? null,
  };
}
