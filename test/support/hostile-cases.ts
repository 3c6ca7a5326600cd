import * as grpc from '@grpc/grpc-js';
import {
  create,
  createFileRegistry,
  fromBinary,
  ScalarType,
  toBinary,
  type DescField,
  type DescMessage,
  type DescService,
  type Message,
} from '@bufbuild/protobuf';
import { FileDescriptorSetSchema, TimestampSchema } from '@bufbuild/protobuf/wkt';
import { loadDescriptorSet } from '../../lib/grpc/descriptor-set.js';
import { limitsExtensionOf, limitsOf } from '../../lib/grpc/field-limits.js';
import { violationsFrom } from '../../lib/grpc/index.js';

/**
 * The cases of the hostile walk (test/contract-walks.test.ts): what a hostile client sends at every
 * field of every request of every RPC, walked from the contracts. A case names the field the edge
 * must refuse, or none when only the domain can judge it (empty values, malformed ids and page
 * tokens, int32 extremes) and a precise answer is all that is asked.
 */

export const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, loadDescriptorSet()!));
const limitsExtension = limitsExtensionOf(registry);
export const CONCURRENCY = 32;
export const DEADLINE_MS = 5000;
/** How deep the walk goes into nested request messages (Money inside a variant inside a request). */
const MAX_DEPTH = 3;
/** Swapped for a lone surrogate (ED A0 80) in the encoded bytes: no encoder writes one on its own. */
const SURROGATE_MARKER = '\u{e000}';

export interface HostileCase {
  method: string;
  /** What was sent, for the failure list. */
  label: string;
  bytes: Uint8Array;
  /** The field path the edge must name, or undefined when only a precise answer is asked for. */
  refusedField?: string;
}

/** One step from a message to one of its fields (element 0 of a repeated one). */
type Step = DescField;

function pathOf(steps: Step[]): string {
  return steps.map((field) => (field.fieldKind === 'list' ? `${field.name}[0]` : field.name)).join('.');
}

/** A request with `value` at the end of `steps` (every message on the way created, list elements at 0). */
function requestWith(input: DescMessage, steps: Step[], value: unknown): Uint8Array {
  const root = create(input) as Record<string, unknown>;
  let target = root;
  steps.forEach((field, i) => {
    const last = i === steps.length - 1;
    const next = last ? value : (create(field.message!) as Record<string, unknown>);
    const slot = field.fieldKind === 'list' && !(last && Array.isArray(value)) ? [next] : next;
    if (field.oneof) target[field.oneof.localName] = { case: field.localName, value: slot };
    else target[field.localName] = slot;
    if (!last) target = next as Record<string, unknown>;
  });
  return toBinary(input, root as unknown as Message);
}

function withLoneSurrogate(bytes: Uint8Array): Uint8Array {
  const out = Buffer.from(bytes);
  const at = out.indexOf(Buffer.from(SURROGATE_MARKER));
  out.set([0xed, 0xa0, 0x80], at);
  return out;
}

function isIdField(field: DescField): boolean {
  return field.name === 'id' || field.name.endsWith('_id') || field.name.endsWith('_ids');
}

/** The hostile values of one field (reached by `steps`), as cases. */
function casesOfField(method: string, input: DescMessage, steps: Step[]): HostileCase[] {
  const field = steps[steps.length - 1]!;
  const path = pathOf(steps);
  const parent = pathOf(steps.slice(0, -1));
  const fieldPath = parent ? `${parent}.${field.name}` : field.name;
  const cases: HostileCase[] = [];
  const edge = (label: string, bytes: Uint8Array, refusedField = path) =>
    cases.push({ method, label: `${path}: ${label}`, bytes, refusedField });
  const domain = (label: string, bytes: Uint8Array) =>
    cases.push({ method, label: `${path}: ${label}`, bytes });
  const { maxLength, maxItems } = limitsOf(field, limitsExtension);

  if (field.fieldKind === 'list' && field.listKind !== 'scalar') {
    const element = () => (field.listKind === 'message' ? create(field.message) : 0);
    edge(
      `${maxItems + 1} entries`,
      requestWith(input, steps, Array.from({ length: maxItems + 1 }, element)),
      fieldPath,
    );
  }
  if (field.fieldKind === 'list' && field.listKind === 'scalar' && field.scalar === ScalarType.STRING) {
    edge(
      `${maxItems + 1} entries`,
      requestWith(
        input,
        steps,
        Array.from({ length: maxItems + 1 }, () => 'x'),
      ),
      fieldPath,
    );
  }
  if (field.fieldKind === 'map' && field.mapKind === 'scalar' && field.scalar === ScalarType.STRING) {
    const entries = Object.fromEntries(Array.from({ length: maxItems + 1 }, (_, i) => [`k${i}`, 'x']));
    edge(`${maxItems + 1} entries`, requestWith(input, steps, entries), fieldPath);
    edge('a value with NUL', requestWith(input, steps, { k: 'a\u0000b' }), `${fieldPath}["k"]`);
    edge(
      `a value of ${maxLength + 1} characters`,
      requestWith(input, steps, { k: 'x'.repeat(maxLength + 1) }),
      `${fieldPath}["k"]`,
    );
  }

  const scalar = field.fieldKind === 'scalar' || field.fieldKind === 'list' ? field.scalar : undefined;
  if (scalar === ScalarType.STRING) {
    edge('NUL', requestWith(input, steps, 'a\u0000b'));
    edge('a lone surrogate', withLoneSurrogate(requestWith(input, steps, `a${SURROGATE_MARKER}b`)));
    edge(`${maxLength + 1} characters`, requestWith(input, steps, 'x'.repeat(maxLength + 1)));
    if (steps.length === 1) {
      // What stalled connections: a megabyte where an id, a slug, a name or a role goes; 100 KB elsewhere.
      const huge = isIdField(field) || /slug|name|role/.test(field.name) ? 1 << 20 : 100_000;
      edge(`${huge} characters`, requestWith(input, steps, 'x'.repeat(huge)));
    }
    domain('empty', requestWith(input, steps, ''));
    if (isIdField(field)) {
      domain('a malformed id', requestWith(input, steps, 'not-a-uuid'));
      domain('a UUID of nothing', requestWith(input, steps, '00000000-0000-7000-8000-000000000000'));
    }
    if (field.name === 'page_token')
      domain('a malformed page token', requestWith(input, steps, '!!not*a*token!!'));
  }
  if (scalar !== undefined && INT64_TYPES.has(scalar)) {
    // Both ends, beyond what a JavaScript number holds (ts-proto clients cannot even send them).
    const unsigned = scalar === ScalarType.UINT64 || scalar === ScalarType.FIXED64;
    for (const end of unsigned ? [2n ** 64n - 1n] : [2n ** 63n - 1n, -(2n ** 63n)]) {
      edge(`${end}`, requestWith(input, steps, end));
    }
  }
  if (scalar !== undefined && INT32_TYPES.has(scalar)) {
    // The domain judges the range, precisely.
    for (const end of [2 ** 31 - 1, -(2 ** 31)]) domain(`${end}`, requestWith(input, steps, end));
  }
  if (field.fieldKind === 'enum' || (field.fieldKind === 'list' && field.listKind === 'enum')) {
    edge('unknown enum value 999', requestWith(input, steps, 999));
  }
  const message = messageOf(field);
  if (message?.typeName === 'google.protobuf.Timestamp') {
    const at = (seconds: bigint, nanos: number) =>
      requestWith(input, steps, create(TimestampSchema, { seconds, nanos }));
    edge('before year 1', at(-62_135_596_801n, 0));
    edge('after year 9999', at(253_402_300_800n, 0));
    edge('nanos -1', at(0n, -1), `${path}.nanos`);
    edge('nanos 1e9', at(0n, 1_000_000_000), `${path}.nanos`);
  }
  return cases;
}

const INT64_TYPES = new Set([
  ScalarType.INT64,
  ScalarType.UINT64,
  ScalarType.SINT64,
  ScalarType.FIXED64,
  ScalarType.SFIXED64,
]);
const INT32_TYPES = new Set([ScalarType.INT32, ScalarType.SINT32, ScalarType.SFIXED32]);

function messageOf(field: DescField): DescMessage | undefined {
  if (field.fieldKind === 'message') return field.message;
  if (field.fieldKind === 'list' && field.listKind === 'message') return field.message;
  return undefined;
}

/** Every field of `message` and of the messages it holds (to MAX_DEPTH, no type twice on a path). */
function fieldPaths(message: DescMessage, prefix: Step[] = [], seen: string[] = []): Step[][] {
  const paths: Step[][] = [];
  for (const field of message.fields) {
    const steps = [...prefix, field];
    paths.push(steps);
    const nested = messageOf(field);
    if (
      nested &&
      !nested.typeName.startsWith('google.protobuf.') &&
      steps.length < MAX_DEPTH &&
      !seen.includes(nested.typeName)
    ) {
      paths.push(...fieldPaths(nested, steps, [...seen, message.typeName]));
    }
  }
  return paths;
}

export function casesOfService(service: DescService): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const method of service.methods) {
    const path = `/${service.typeName}/${method.name}`;
    cases.push({ method: path, label: 'an empty request', bytes: new Uint8Array() });
    for (const steps of fieldPaths(method.input)) cases.push(...casesOfField(path, method.input, steps));
  }
  return cases;
}

export interface Outcome {
  code: grpc.status;
  details: string;
  violations: { field: string; description: string }[];
  ms: number;
}

export function rawCall(
  client: grpc.Client,
  path: string,
  bytes: Uint8Array,
  metadata: grpc.Metadata,
): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      (b: Uint8Array) => Buffer.from(b),
      (b: Buffer) => b,
      bytes,
      metadata,
      { deadline: Date.now() + DEADLINE_MS },
      (error) =>
        resolve({
          code: error?.code ?? grpc.status.OK,
          details: error?.details ?? '',
          violations: violationsFrom(error?.metadata) ?? [],
          ms: Date.now() - started,
        }),
    );
  });
}

/** What is wrong with the answer to one case, or undefined when it is what a caller relies on. */
export function faultOf(hostile: HostileCase, outcome: Outcome): string | undefined {
  const code = grpc.status[outcome.code];
  if (outcome.code === grpc.status.DEADLINE_EXCEEDED) return `no answer within ${DEADLINE_MS} ms`;
  if (outcome.code === grpc.status.INTERNAL || outcome.code === grpc.status.UNKNOWN)
    return `${code}: ${outcome.details.slice(0, 200)}`;
  if (outcome.details.length > 1000) return `a ${outcome.details.length}-character message`;
  if (hostile.refusedField === undefined) return undefined;
  if (outcome.code !== grpc.status.INVALID_ARGUMENT) return `${code} instead of INVALID_ARGUMENT`;
  if (!outcome.violations.some((v) => v.field === hostile.refusedField))
    return `INVALID_ARGUMENT naming ${JSON.stringify(outcome.violations.map((v) => v.field))}, not ${hostile.refusedField}`;
  return undefined;
}

export async function inBatches<T, R>(items: T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size)
    results.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  return results;
}
