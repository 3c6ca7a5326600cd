import type { DescriptorProto, FileDescriptorProto } from '@bufbuild/protobuf/wkt';

/**
 * A file descriptor as protoc writes it, from one protobufjs made (proto-loader's, for the health
 * proto): every type name fully qualified (`.grpc.health.v1.HealthCheckResponse`, protobufjs
 * leaves `HealthCheckResponse`) and every map entry named `<Field>Entry` (protobufjs names it after
 * the field), every json_name the field's (protobufjs leaves it empty). Strict reflection clients
 * (@bufbuild/protobuf, grpcurl) refuse the file otherwise, or map its fields to JSON wrongly.
 * `name` replaces the file's name (protobufjs invents `grpc_health_v1.proto`).
 */
export function strictFileDescriptor(file: FileDescriptorProto, name: string): FileDescriptorProto {
  const scope = file.package ? `.${file.package}` : '';
  const declared = new Set<string>();
  const collect = (prefix: string, messages: DescriptorProto[]): void => {
    for (const message of messages) {
      const full = `${prefix}.${message.name}`;
      declared.add(full);
      for (const nested of message.enumType) declared.add(`${full}.${nested.name}`);
      collect(full, message.nestedType);
    }
  };
  // Map entries are renamed first, so that names resolve to the new ones.
  const renameMapEntries = (messages: DescriptorProto[]): void => {
    for (const message of messages) {
      for (const entry of message.nestedType.filter((nested) => nested.options?.mapEntry)) {
        const field = message.field.find((f) => f.typeName === entry.name);
        if (!field) continue;
        const entryName = `${field.name.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase())}Entry`;
        entry.name = entryName;
        field.typeName = entryName;
      }
      renameMapEntries(message.nestedType);
    }
  };
  renameMapEntries(file.messageType);
  collect(scope, file.messageType);
  for (const nested of file.enumType) declared.add(`${scope}.${nested.name}`);

  // A relative name resolves from the innermost scope outwards, as protoc resolves it.
  const resolve = (typeName: string, within: string): string => {
    if (typeName === '' || typeName.startsWith('.')) return typeName;
    for (let at = within; ; at = at.slice(0, at.lastIndexOf('.'))) {
      const candidate = `${at}.${typeName}`;
      if (declared.has(candidate)) return candidate;
      if (at === '') return `.${typeName}`;
    }
  };
  const qualify = (prefix: string, messages: DescriptorProto[]): void => {
    for (const message of messages) {
      const full = `${prefix}.${message.name}`;
      for (const field of message.field) {
        field.typeName = resolve(field.typeName, full);
        // protobufjs writes an empty json_name, which would make the JSON name of `status` "".
        field.jsonName = field.name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
      }
      qualify(full, message.nestedType);
    }
  };
  qualify(scope, file.messageType);
  for (const service of file.service) {
    for (const method of service.method) {
      method.inputType = resolve(method.inputType, scope);
      method.outputType = resolve(method.outputType, scope);
    }
  }
  file.name = name;
  return file;
}
