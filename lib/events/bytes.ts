/**
 * bytea crosses the drivers differently: node-postgres returns a Buffer, PGlite a Uint8Array, and
 * MikroORM inlines only a Buffer correctly as a parameter.
 */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function toBytes(value: Uint8Array | string): Uint8Array {
  if (typeof value === 'string') {
    // A driver that hands bytea back as text uses the hex format: \x0a1b…
    return Buffer.from(value.startsWith('\\x') ? value.slice(2) : value, 'hex');
  }
  return value;
}
