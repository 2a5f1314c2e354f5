/**
 * A small Protocol Buffers writer: just what the ONNX export needs (varints, strings, bytes,
 * fixed32 floats, nested messages). Encoding: each field is a key (field << 3 | wire type) then
 * its value — wire 0 varint (int32/int64/enum/bool; negative numbers as 10-byte two's complement),
 * wire 2 length-delimited (string, bytes, message, packed), wire 5 fixed32 (float, little-endian).
 */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  /** An int32/int64/enum field (wire 0). */
  varint(field: number, value: number): this {
    this.key(field, 0);
    this.push(encodeVarint(value));
    return this;
  }

  /** A float field (wire 5). */
  float(field: number, value: number): this {
    this.key(field, 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.push(encodeVarint(value.length));
    this.push(value);
    return this;
  }

  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  private key(field: number, wire: number): void {
    this.push(encodeVarint(field * 8 + wire));
  }

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }
}

/** Base-128 varint, low 7 bits first; a negative integer as its 64-bit two's complement. */
export function encodeVarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value)) throw new Error(`internal: varint of ${value}`);
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    bytes.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return Uint8Array.from(bytes);
}
