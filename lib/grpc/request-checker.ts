import {
  ScalarType,
  type DescEnum,
  type DescExtension,
  type DescField,
  type DescMessage,
} from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import type { FieldViolation } from '../errors.js';
import { limitsOf } from './field-limits.js';
import { scanUtf8, StringFault } from './utf8-scan.js';

/**
 * Checks a request's bytes against its message's descriptor before anything decodes them: every
 * string valid UTF-8 without NUL and within its maximum, every 64-bit integer within ±(2^53 − 1)
 * (what a JavaScript number carries exactly; ts-proto's decoder throws beyond it), every enum a
 * declared value, every Timestamp within years 1-9999 and Duration within ±10000 years, every
 * repeated or map field within its maximum count, and the encoding itself well formed. Returns
 * the violations (field paths in snake case, `variants[1].price.amount_minor`), empty when the
 * request is fine; descriptions never echo what the caller sent.
 */
export type RequestChecker = (bytes: Uint8Array) => FieldViolation[];

/** A request that breaks more rules than this is told about the first ones only. */
export const MAX_REPORTED_VIOLATIONS = 10;
/** Deeper nesting than this is refused (the contracts nest a few levels; a hostile body nests thousands). */
export const MAX_NESTING = 32;

const INT53_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const INT53_MIN = -INT53_MAX;
/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range of google.protobuf.Timestamp. */
const TIMESTAMP_MIN_SECONDS = -62_135_596_800n;
const TIMESTAMP_MAX_SECONDS = 253_402_300_799n;
/** ±10000 years, the range of google.protobuf.Duration. */
const DURATION_MAX_SECONDS = 315_576_000_000n;
const NANOS_MAX = 999_999_999;

/** The checks of one field's values; `path` is the value's path (with its index, if repeated). */
interface FieldRule {
  name: string;
  /** Wire type of one value (a packed repeated scalar also accepts LengthDelimited). */
  wireType: WireType;
  packable: boolean;
  /** Repeated or map: the maximum count; undefined for a singular field. */
  maxItems: number | undefined;
  /** Index among the message's repeated fields (where its count is kept), or -1. */
  slot: number;
  /** A map's entries are named by their keys, not by their position. */
  isMap: boolean;
  check(reader: BinaryReader, path: string, walk: Walk): void;
}

interface MessageRule {
  typeName: string;
  fields: Map<number, FieldRule>;
  repeatedFields: FieldRule[];
  /** Timestamp and Duration: the range of their seconds and nanos, checked after the fields. */
  wellKnown: 'timestamp' | 'duration' | undefined;
}

/** The state of one check: where the violations go. */
class Walk {
  readonly violations: FieldViolation[] = [];

  /** `bytes`: the whole request, which the reader reads. */
  constructor(readonly bytes: Uint8Array) {}

  /** How many messages deep the walk is. */
  depth = 0;

  add(field: string, description: string): void {
    if (this.violations.length < MAX_REPORTED_VIOLATIONS) this.violations.push({ field, description });
  }

  get full(): boolean {
    return this.violations.length >= MAX_REPORTED_VIOLATIONS;
  }
}

class Malformed extends Error {}

const WIRE_NAMES = ['varint', '64-bit', 'length-delimited', 'group start', 'group end', '32-bit'];

function wireTypeOf(scalar: ScalarType): WireType {
  switch (scalar) {
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return WireType.LengthDelimited;
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return WireType.Bit64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return WireType.Bit32;
    default:
      return WireType.Varint;
  }
}

/** Reads a length prefix: the reader stays at the value's first byte; returns where the value ends. */
function endOfLengthDelimited(reader: BinaryReader): number {
  const length = reader.uint32();
  const end = reader.pos + length;
  if (end > reader.len) throw new Malformed('a length runs past the end');
  return end;
}

/** Skips one value of a wire type (BinaryReader.skip would allocate a view of it). */
function skipValue(reader: BinaryReader, wireType: number, number: number): void {
  switch (wireType) {
    case WireType.Varint:
      reader.int32(); // reads (and drops) a varint of any length
      break;
    case WireType.Bit64:
      reader.pos += 8;
      break;
    case WireType.Bit32:
      reader.pos += 4;
      break;
    case WireType.LengthDelimited:
      reader.pos = endOfLengthDelimited(reader);
      break;
    case WireType.StartGroup:
      reader.skip(wireType, number);
      break;
    default:
      throw new Malformed('an invalid tag');
  }
  if (reader.pos > reader.len) throw new Malformed('a value runs past the end');
}

function outOfInt53(value: bigint | string): boolean {
  const big = typeof value === 'bigint' ? value : BigInt(value);
  return big > INT53_MAX || big < INT53_MIN;
}

const INT53_RULE = `must be between ${-Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`;

type ValueCheck = (reader: BinaryReader, path: string, walk: Walk) => void;

/** The check of one scalar value (already past its tag). */
function scalarCheck(scalar: ScalarType, maxLength: number): ValueCheck {
  switch (scalar) {
    case ScalarType.STRING:
      return (reader, path, walk) => {
        const end = endOfLengthDelimited(reader);
        const start = reader.pos;
        reader.pos = end;
        const fault = scanUtf8(walk.bytes, start, end, maxLength);
        if (fault === StringFault.TooLong) walk.add(path, `must be at most ${maxLength} characters`);
        else if (fault === StringFault.Nul) walk.add(path, 'must not contain NUL (U+0000) characters');
        else if (fault === StringFault.NotUtf8)
          walk.add(path, 'must be valid UTF-8 (no lone surrogates or broken sequences)');
      };
    case ScalarType.BYTES:
      return (reader, path, walk) => {
        const end = endOfLengthDelimited(reader);
        const start = reader.pos;
        reader.pos = end;
        if (end - start > maxLength) walk.add(path, `must be at most ${maxLength} bytes`);
      };
    case ScalarType.INT64:
      return (reader, path, walk) => void (outOfInt53(reader.int64()) && walk.add(path, INT53_RULE));
    case ScalarType.UINT64:
      return (reader, path, walk) => void (outOfInt53(reader.uint64()) && walk.add(path, INT53_RULE));
    case ScalarType.SINT64:
      return (reader, path, walk) => void (outOfInt53(reader.sint64()) && walk.add(path, INT53_RULE));
    case ScalarType.FIXED64:
      return (reader, path, walk) => void (outOfInt53(reader.fixed64()) && walk.add(path, INT53_RULE));
    case ScalarType.SFIXED64:
      return (reader, path, walk) => void (outOfInt53(reader.sfixed64()) && walk.add(path, INT53_RULE));
    case ScalarType.DOUBLE:
      return (reader, path, walk) =>
        void (!Number.isFinite(reader.double()) && walk.add(path, 'must be a finite number'));
    case ScalarType.FLOAT:
      return (reader, path, walk) =>
        void (!Number.isFinite(reader.float()) && walk.add(path, 'must be a finite number'));
    default: {
      const wireType = wireTypeOf(scalar);
      return (reader) => skipValue(reader, wireType, 0);
    }
  }
}

function enumCheck(descriptor: DescEnum): ValueCheck {
  const known = new Set(descriptor.values.map((value) => value.number));
  return (reader, path, walk) => void (!known.has(reader.int32()) && walk.add(path, 'is not a known value'));
}

/**
 * Compiles checkers from descriptors; one per process and descriptor set, so that a message used
 * by many requests (Money, Address) is compiled once.
 */
export class RequestCheckerCompiler {
  private readonly rules = new Map<string, MessageRule>();

  constructor(private readonly limitsExtension: DescExtension | undefined) {}

  compile(message: DescMessage): RequestChecker {
    const rule = this.ruleOf(message);
    return (bytes) => {
      const walk = new Walk(bytes);
      const reader = new BinaryReader(bytes);
      try {
        walkMessage(rule, reader, bytes.length, '', walk);
      } catch (error) {
        // Truncated or malformed bytes: the reader (or a length check here) found no sense in them.
        walk.add('', `the request is not a well-formed ${message.typeName} (${(error as Error).message})`);
      }
      return walk.violations;
    };
  }

  private ruleOf(message: DescMessage): MessageRule {
    let rule = this.rules.get(message.typeName);
    if (rule) return rule;
    const wellKnown =
      message.typeName === 'google.protobuf.Timestamp'
        ? 'timestamp'
        : message.typeName === 'google.protobuf.Duration'
          ? 'duration'
          : undefined;
    rule = { typeName: message.typeName, fields: new Map(), repeatedFields: [], wellKnown };
    // Registered before its fields, so that a recursive message refers to itself.
    this.rules.set(message.typeName, rule);
    for (const field of message.fields) {
      const fieldRule = this.fieldRule(field, rule.repeatedFields.length);
      rule.fields.set(field.number, fieldRule);
      if (fieldRule.maxItems !== undefined) rule.repeatedFields.push(fieldRule);
    }
    return rule;
  }

  private messageCheck(message: DescMessage): ValueCheck {
    const rule = this.ruleOf(message);
    return (reader, path, walk) => {
      const end = endOfLengthDelimited(reader);
      if (walk.depth >= MAX_NESTING) {
        walk.add(path, `nests messages deeper than ${MAX_NESTING} levels`);
        reader.pos = end;
        return;
      }
      walk.depth++;
      walkMessage(rule, reader, end, `${path}.`, walk, path);
      walk.depth--;
    };
  }

  private fieldRule(field: DescField, slot: number): FieldRule {
    const { maxLength, maxItems } = limitsOf(field, this.limitsExtension);
    const base = { name: field.name };
    switch (field.fieldKind) {
      case 'scalar':
        return single(base, wireTypeOf(field.scalar), scalarCheck(field.scalar, maxLength));
      case 'enum':
        return single(base, WireType.Varint, enumCheck(field.enum));
      case 'message':
        return single(base, WireType.LengthDelimited, this.messageCheck(field.message));
      case 'list': {
        const element =
          field.listKind === 'scalar'
            ? { wireType: wireTypeOf(field.scalar), check: scalarCheck(field.scalar, maxLength) }
            : field.listKind === 'enum'
              ? { wireType: WireType.Varint, check: enumCheck(field.enum) }
              : { wireType: WireType.LengthDelimited, check: this.messageCheck(field.message) };
        const packable = element.wireType !== WireType.LengthDelimited;
        const check = element.check;
        return { ...base, wireType: element.wireType, packable, maxItems, slot, isMap: false, check };
      }
      case 'map': {
        const key = scalarCheck(field.mapKey, maxLength);
        const value =
          field.mapKind === 'scalar'
            ? scalarCheck(field.scalar, maxLength)
            : field.mapKind === 'enum'
              ? enumCheck(field.enum)
              : this.messageCheck(field.message);
        const valueWireType =
          field.mapKind === 'scalar'
            ? wireTypeOf(field.scalar)
            : field.mapKind === 'enum'
              ? WireType.Varint
              : WireType.LengthDelimited;
        return {
          ...base,
          wireType: WireType.LengthDelimited,
          packable: false,
          maxItems,
          slot,
          isMap: true,
          check: mapEntryCheck(field.mapKey, key, valueWireType, value),
        };
      }
    }
  }
}

function single(base: { name: string }, wireType: WireType, check: ValueCheck): FieldRule {
  return { ...base, wireType, packable: false, maxItems: undefined, slot: -1, isMap: false, check };
}

/** A map entry: key (field 1) and value (field 2); a bad value's path names its key when the key is fine. */
function mapEntryCheck(
  keyType: ScalarType,
  key: ValueCheck,
  valueWireType: WireType,
  value: ValueCheck,
): ValueCheck {
  const keyWireType = wireTypeOf(keyType);
  return (reader, path, walk) => {
    const end = endOfLengthDelimited(reader);
    let keyAt: { from: number; to: number } | undefined;
    let keyBroken = false;
    const valueAt: number[] = [];
    while (reader.pos < end) {
      const tag = reader.uint32();
      const number = tag >>> 3;
      const wireType = tag & 7;
      if (number === 1 && wireType === keyWireType) {
        const from = reader.pos;
        const before = walk.violations.length;
        key(reader, `${path} (a key)`, walk);
        keyBroken = walk.violations.length > before;
        keyAt = { from, to: reader.pos };
      } else if (number === 2 && wireType === valueWireType) {
        valueAt.push(reader.pos);
        skipValue(reader, wireType, number);
      } else {
        skipField(reader, number, wireType);
      }
    }
    if (reader.pos !== end) throw new Malformed('a map entry runs past its length');
    for (const at of valueAt) {
      reader.pos = at;
      const before = walk.violations.length;
      value(reader, path, walk);
      if (walk.violations.length > before && keyAt && !keyBroken && keyType === ScalarType.STRING) {
        // A bad value is named by its key, decoded only now that it is needed.
        const keyText = new BinaryReader(walk.bytes.subarray(keyAt.from, keyAt.to)).string();
        const named = `${path}[${JSON.stringify(keyText)}]`;
        for (const violation of walk.violations.slice(before)) {
          violation.field = named + violation.field.slice(path.length);
        }
      }
    }
    reader.pos = end;
  };
}

function skipField(reader: BinaryReader, number: number, wireType: number): void {
  if (number === 0) throw new Malformed('an invalid tag');
  skipValue(reader, wireType, number);
}

/**
 * Walks the fields of one message in `[reader.pos, end)`, `prefix` being its path with a dot (empty
 * at the top). `ownPath` is the message's own path, for its well-known-type range violations.
 */
function walkMessage(
  rule: MessageRule,
  reader: BinaryReader,
  end: number,
  prefix: string,
  walk: Walk,
  ownPath?: string,
): void {
  const counts =
    rule.repeatedFields.length > 0 ? new Array<number>(rule.repeatedFields.length).fill(0) : undefined;
  let seconds = 0n;
  let nanos = 0;
  while (reader.pos < end && !walk.full) {
    const tag = reader.uint32();
    const number = tag >>> 3;
    const wireType = tag & 7;
    const field = rule.fields.get(number);
    if (!field) {
      skipField(reader, number, wireType);
      continue;
    }
    if (rule.wellKnown) {
      // Timestamp and Duration: seconds (1, int64) and nanos (2, int32).
      if (number === 1 && wireType === WireType.Varint) seconds = BigInt(reader.int64());
      else if (number === 2 && wireType === WireType.Varint) nanos = reader.int32();
      else skipField(reader, number, wireType);
      continue;
    }
    if (field.maxItems === undefined) {
      if (wireType !== field.wireType) {
        walk.add(prefix + field.name, wrongWireType(field, wireType));
        skipField(reader, number, wireType);
      } else {
        field.check(reader, prefix + field.name, walk);
      }
      continue;
    }
    const slot = field.slot;
    if (field.packable && wireType === WireType.LengthDelimited) {
      const packedEnd = endOfLengthDelimited(reader);
      while (reader.pos < packedEnd) {
        const index = counts![slot]!++;
        field.check(reader, `${prefix}${field.name}[${index}]`, walk);
      }
      if (reader.pos !== packedEnd) throw new Malformed('a packed field runs past its length');
    } else if (wireType !== field.wireType) {
      walk.add(prefix + field.name, wrongWireType(field, wireType));
      skipField(reader, number, wireType);
    } else {
      const index = counts![slot]!++;
      if (index >= field.maxItems) skipField(reader, number, wireType);
      else if (field.isMap) field.check(reader, prefix + field.name, walk);
      else field.check(reader, `${prefix}${field.name}[${index}]`, walk);
    }
  }
  if (reader.pos > end) throw new Malformed('a field runs past the end of its message');
  reader.pos = end;
  if (counts) {
    for (const field of rule.repeatedFields) {
      if (counts[field.slot]! > field.maxItems!)
        walk.add(prefix + field.name, `must have at most ${field.maxItems} entries`);
    }
  }
  if (rule.wellKnown && ownPath !== undefined)
    checkWellKnownRange(rule.wellKnown, seconds, nanos, ownPath, walk);
}

function wrongWireType(field: FieldRule, wireType: number): string {
  return `is encoded as ${WIRE_NAMES[wireType] ?? `wire type ${wireType}`}, not as its type's ${WIRE_NAMES[field.wireType]}`;
}

function checkWellKnownRange(
  kind: 'timestamp' | 'duration',
  seconds: bigint,
  nanos: number,
  path: string,
  walk: Walk,
): void {
  if (kind === 'timestamp') {
    if (seconds < TIMESTAMP_MIN_SECONDS || seconds > TIMESTAMP_MAX_SECONDS)
      walk.add(path, 'must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z');
    if (nanos < 0 || nanos > NANOS_MAX) walk.add(`${path}.nanos`, `must be 0 to ${NANOS_MAX}`);
    return;
  }
  if (seconds < -DURATION_MAX_SECONDS || seconds > DURATION_MAX_SECONDS)
    walk.add(path, 'must be within ±10000 years');
  if (nanos < -NANOS_MAX || nanos > NANOS_MAX || (seconds > 0n && nanos < 0) || (seconds < 0n && nanos > 0))
    walk.add(`${path}.nanos`, `must be ${-NANOS_MAX} to ${NANOS_MAX}, with the sign of seconds`);
}
