/**
 * NumPy's .npy format, version 1.0, for float32 matrices (what `numpy.load` reads):
 *   "\x93NUMPY" 0x01 0x00, a little-endian uint16 header length, the header — a Python dict
 *   literal {'descr': '<f4', 'fortran_order': False, 'shape': (rows, cols), } padded with spaces
 *   and ended by '\n' so that the data starts on a multiple of 64 bytes — then the values, row-major,
 *   little-endian float32.
 */
export function npyFloat32(values: Float32Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== values.length) throw new Error(`internal: npy shape ${shape.join('×')} does not hold ${values.length} values`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const preamble = 10; // magic (6) + version (2) + header length (2)
  const total = Math.ceil((preamble + header.length + 1) / 64) * 64;
  header = header.padEnd(total - preamble - 1, ' ') + '\n';
  const out = new Uint8Array(total + values.length * 4);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00], 0); // \x93 N U M P Y 1 0
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[preamble + i] = header.charCodeAt(i);
  for (let i = 0; i < values.length; i++) view.setFloat32(total + 4 * i, values[i], true);
  return out;
}
