import {
  getExtension,
  hasExtension,
  type DescExtension,
  type DescField,
  type Registry,
} from '@bufbuild/protobuf';

/**
 * The default maximum of a string field, in Unicode code points (of a bytes field, in bytes): room
 * for every name, slug, email (254), id, token and short text the contracts have; a field holding
 * longer text declares its own with `[(ecommerce.common.v1.limits).max_length = N]`.
 */
export const DEFAULT_MAX_LENGTH = 500;
/** The default maximum number of entries of a repeated or map field (`max_items` raises it). */
export const DEFAULT_MAX_ITEMS = 1000;

/** The option in proto/ecommerce/common/v1/limits.proto. */
export const LIMITS_EXTENSION = 'ecommerce.common.v1.limits';

export interface FieldLimits {
  maxLength: number;
  maxItems: number;
}

/** The extension descriptor of the limits option, if the descriptor set has it. */
export function limitsExtensionOf(registry: Registry): DescExtension | undefined {
  return registry.getExtension(LIMITS_EXTENSION);
}

/** A field's limits: its own option where it declares one, else the defaults. */
export function limitsOf(field: DescField, extension: DescExtension | undefined): FieldLimits {
  const options = field.proto.options;
  if (extension && options && hasExtension(options, extension)) {
    const declared = getExtension(options, extension) as { maxLength?: number; maxItems?: number };
    return {
      maxLength: declared.maxLength || DEFAULT_MAX_LENGTH,
      maxItems: declared.maxItems || DEFAULT_MAX_ITEMS,
    };
  }
  return { maxLength: DEFAULT_MAX_LENGTH, maxItems: DEFAULT_MAX_ITEMS };
}
