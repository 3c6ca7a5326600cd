/**
 * The proto3 JSON mapping between what a user types or reads and what the marshaller built from
 * reflection descriptors expects (protobufjs objects keyed by proto field names). Guided by the
 * descriptors, so only field names are renamed (never the keys of a map), maps are JSON objects
 * (protobufjs reads a map from a descriptor as a list of key/value entries) and Timestamps are
 * RFC 3339 strings.
 */

export interface FieldDescriptor {
  name: string;
  jsonName?: string;
  /** FieldDescriptorProto.Type; 11 is a message. */
  type?: number;
  typeName?: string;
}

export interface MessageDescriptor {
  name: string;
  field?: FieldDescriptor[];
  nestedType?: MessageDescriptor[];
  options?: { mapEntry?: boolean };
}

export interface ServiceDescriptor {
  name: string;
  method?: { name: string; inputType: string; outputType: string }[];
}

export interface FileDescriptor {
  name: string;
  package?: string;
  dependency?: string[];
  messageType?: MessageDescriptor[];
  service?: ServiceDescriptor[];
}

const TYPE_MESSAGE = 11;
const TIMESTAMP = '.google.protobuf.Timestamp';

type Plain = Record<string, unknown>;

const camelCase = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function isPlainObject(value: unknown): value is Plain {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** `{ seconds, nanos }` → `2026-11-27T16:00:00.123Z` (fraction of 0, 3, 6 or 9 digits, as proto3 JSON writes it). */
function timestampToJson(value: Plain): string {
  const seconds = Number(value.seconds ?? 0);
  const nanos = Number(value.nanos ?? 0);
  const whole = new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, '');
  if (nanos === 0) return `${whole}Z`;
  const digits = String(nanos).padStart(9, '0');
  const fraction = digits.endsWith('000000')
    ? digits.slice(0, 3)
    : digits.endsWith('000')
      ? digits.slice(0, 6)
      : digits;
  return `${whole}.${fraction}Z`;
}

function timestampFromJson(value: unknown, path: string): Plain {
  if (typeof value !== 'string') throw new Error(`${path}: a Timestamp is an RFC 3339 string`);
  const match = /^(.*?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  const millis = match ? Date.parse(`${match[1]}${match[3]}`) : Number.NaN;
  if (!match || Number.isNaN(millis)) throw new Error(`${path}: "${value}" is not an RFC 3339 timestamp`);
  return { seconds: String(Math.floor(millis / 1000)), nanos: Number((match[2] ?? '').padEnd(9, '0')) };
}

export class JsonMapping {
  private readonly messages = new Map<string, MessageDescriptor>();

  private readonly methods = new Map<string, { inputType: string; outputType: string }>();

  constructor(files: readonly FileDescriptor[]) {
    for (const file of files) {
      const scope = file.package ? `.${file.package}` : '';
      this.register(scope, file.messageType ?? []);
      for (const service of file.service ?? [])
        for (const method of service.method ?? [])
          this.methods.set(`${scope.slice(1)}.${service.name}/${method.name}`, method);
    }
  }

  /** The request and response type names of `package.Service/Method`. */
  typesOf(fullMethod: string): { inputType: string; outputType: string } | undefined {
    return this.methods.get(fullMethod);
  }

  /** A decoded message (proto field names) in the proto3 JSON mapping. */
  toJson(typeName: string, message: Plain): Plain {
    const descriptor = this.message(typeName);
    const json: Plain = {};
    for (const field of descriptor.field ?? []) {
      if (!(field.name in message)) continue;
      json[field.jsonName ?? camelCase(field.name)] = this.valueToJson(field, message[field.name]);
    }
    return json;
  }

  /** A JSON request (lowerCamelCase or proto field names) as the marshaller expects it. */
  fromJson(typeName: string, json: Plain, path = ''): Plain {
    const descriptor = this.message(typeName);
    const message: Plain = {};
    for (const [key, value] of Object.entries(json)) {
      const field = (descriptor.field ?? []).find(
        (candidate) => candidate.name === key || (candidate.jsonName ?? camelCase(candidate.name)) === key,
      );
      if (!field) throw new Error(`${path}${key}: ${descriptor.name} has no such field`);
      message[field.name] = this.valueFromJson(field, value, `${path}${key}`);
    }
    return message;
  }

  private valueToJson(field: FieldDescriptor, value: unknown): unknown {
    if (field.type !== TYPE_MESSAGE || value === null || value === undefined) return value;
    const entry = this.mapEntry(field);
    if (entry) {
      const [, valueField] = entry.field ?? [];
      return Object.fromEntries(
        (value as Plain[]).map((item) => [String(item.key), this.valueToJson(valueField!, item.value)]),
      );
    }
    const one = (item: unknown): unknown =>
      field.typeName === TIMESTAMP
        ? timestampToJson(item as Plain)
        : this.toJson(field.typeName!, item as Plain);
    return Array.isArray(value) ? value.map(one) : one(value);
  }

  private valueFromJson(field: FieldDescriptor, value: unknown, path: string): unknown {
    if (field.type !== TYPE_MESSAGE || value === null || value === undefined) return value;
    const entry = this.mapEntry(field);
    if (entry) {
      if (!isPlainObject(value)) throw new Error(`${path}: a map is a JSON object`);
      const [, valueField] = entry.field ?? [];
      return Object.entries(value).map(([key, item]) => ({
        key,
        value: this.valueFromJson(valueField!, item, `${path}.${key}`),
      }));
    }
    const one = (item: unknown, at: string): unknown => {
      if (field.typeName === TIMESTAMP) return timestampFromJson(item, at);
      if (!isPlainObject(item)) throw new Error(`${at}: a message is a JSON object`);
      return this.fromJson(field.typeName!, item, `${at}.`);
    };
    return Array.isArray(value) ? value.map((item, i) => one(item, `${path}[${i}]`)) : one(value, path);
  }

  private mapEntry(field: FieldDescriptor): MessageDescriptor | undefined {
    const type = this.messages.get(field.typeName ?? '');
    return type?.options?.mapEntry ? type : undefined;
  }

  private message(typeName: string): MessageDescriptor {
    const descriptor = this.messages.get(typeName.startsWith('.') ? typeName : `.${typeName}`);
    if (!descriptor) throw new Error(`no descriptor for ${typeName}`);
    return descriptor;
  }

  private register(scope: string, messages: readonly MessageDescriptor[]): void {
    for (const message of messages) {
      const name = `${scope}.${message.name}`;
      this.messages.set(name, message);
      this.register(name, message.nestedType ?? []);
    }
  }
}
