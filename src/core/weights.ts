/**
 * The weights file: `{"format": "nnspec-weights", "version": 1, "layers": [{"weights": [[w_jk, …], …], "biases": [b_j, …]}]}`.
 * Rows j are this layer's neurons, columns k the previous layer's.
 */
import { formatBytes, formatCount, overBudget, RAISE_BUDGET } from './budget';

/** What a weights file must fit: the network's widths and which layers have biases (a NetworkSpec is one). */
export interface WeightsShape {
  input: { size: number };
  layers: readonly { units: number; bias: boolean }[];
}

/** Weights + biases of the network. */
function parameterCount(shape: WeightsShape): number {
  let count = 0;
  let inputs = shape.input.size;
  for (const layer of shape.layers) {
    count += layer.units * inputs + (layer.bias ? layer.units : 0);
    inputs = layer.units;
  }
  return count;
}

export interface WeightsFile {
  format: 'nnspec-weights';
  version: 1;
  layers: { weights: number[][]; biases: number[] }[];
}

/**
 * A weights file's numbers packed into Float32Arrays, for messages between threads: one
 * structured-clone copy (or a transfer) of a few buffers instead of a per-number walk of nested
 * arrays, which for millions of weights blocks the sending and the receiving thread for hundreds
 * of milliseconds. Layer l (0-based): weights units × inputs, row-major (row j = neuron j); biases units.
 */
export interface PackedWeights {
  format: 'nnspec-packed-weights';
  layers: { units: number; inputs: number; weights: Float32Array; biases: Float32Array }[];
}

export function packWeights(w: WeightsFile): PackedWeights {
  return {
    format: 'nnspec-packed-weights',
    layers: w.layers.map((layer) => {
      const units = layer.weights.length;
      const inputs = units > 0 ? layer.weights[0].length : 0;
      const weights = new Float32Array(units * inputs);
      layer.weights.forEach((row, j) => weights.set(row, j * inputs));
      return { units, inputs, weights, biases: Float32Array.from(layer.biases) };
    }),
  };
}

export function unpackWeights(p: PackedWeights): WeightsFile {
  return {
    format: 'nnspec-weights',
    version: 1,
    layers: p.layers.map(({ units, inputs, weights, biases }) => ({
      weights: Array.from({ length: units }, (_, j) => Array.from(weights.subarray(j * inputs, (j + 1) * inputs))),
      biases: Array.from(biases),
    })),
  };
}

/** The buffers of packed weights, for a postMessage transfer list. */
export function packedBuffers(p: PackedWeights): ArrayBuffer[] {
  return p.layers.flatMap((layer) => [layer.weights.buffer as ArrayBuffer, layer.biases.buffer as ArrayBuffer]);
}

/** A weights file that is malformed or does not fit the network; the message says where. */
export class WeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightsError';
  }
}

/**
 * The most bytes a weights file of a network can take as JSON, per number (weight or bias):
 * a float64 written in full ("-1.2345678901234567e-05", 23 characters), its comma, and the line
 * break and indentation of a pretty-printer that puts every number on its own line, with room
 * to spare. NNSpec's own files take under 12 bytes a number.
 */
export const WEIGHTS_JSON_BYTES_PER_NUMBER = 64;
/** …plus this much for the object around the numbers, and per row. */
const WEIGHTS_JSON_FRAME_BYTES = 65536;
const WEIGHTS_JSON_BYTES_PER_ROW = 64;
/** The longest string V8 makes (2^29 − 24 characters): a longer JSON text cannot be parsed at all. */
export const MAX_JSON_TEXT_CHARS = 2 ** 29 - 24;

/** The most bytes the weights file of `spec` can take (see WEIGHTS_JSON_BYTES_PER_NUMBER). */
export function maxWeightsFileBytes(spec: WeightsShape): number {
  const rows = spec.layers.reduce((sum, layer) => sum + layer.units, 0);
  return WEIGHTS_JSON_FRAME_BYTES + WEIGHTS_JSON_BYTES_PER_ROW * (rows + spec.layers.length) + WEIGHTS_JSON_BYTES_PER_NUMBER * parameterCount(spec);
}

/**
 * Throws WeightsError, before the file is read, when a weights file of `size` bytes cannot be
 * the weights of `spec` (far too large for its parameters: another network's, or not a weights
 * file), cannot be held as one string, or would not fit the memory budget as text plus numbers.
 */
export function checkWeightsFileSize(size: number, spec: WeightsShape, source: string, budget: number): void {
  const parameters = parameterCount(spec);
  const most = maxWeightsFileBytes(spec);
  const widths = [spec.input.size, ...spec.layers.map((l) => l.units)].join('-');
  if (size > most) {
    throw new WeightsError(
      `${source}: the file is ${formatBytes(size)}, but the weights of this network (${widths}: ${formatCount(parameters)} parameters in ` +
        `${spec.layers.length} layer${spec.layers.length === 1 ? '' : 's'}) take at most ${formatBytes(most)} as JSON ` +
        `(${WEIGHTS_JSON_BYTES_PER_NUMBER} bytes a number): it holds the weights of another network, or no weights at all`,
    );
  }
  if (size > MAX_JSON_TEXT_CHARS) {
    throw new WeightsError(`${source}: the file is ${formatBytes(size)}, more than one JSON text can be here (${formatBytes(MAX_JSON_TEXT_CHARS)})`);
  }
  const over = overBudget(
    [
      { what: "the file's bytes", bytes: size },
      { what: 'its text', bytes: size },
      { what: 'the parsed numbers', bytes: 16 * parameters },
    ],
    budget,
  );
  if (over) throw new WeightsError(`${source}: reading it ${over}; ${RAISE_BUDGET}`);
}

/**
 * Reads a weights file. Throws WeightsError naming `source` and what is wrong where:
 * not JSON (with line:column), wrong format or version, a layer without weights or biases,
 * ragged rows, or a value that is not a finite number (with layer, row and column, from 1).
 */
export function parseWeightsFile(text: string, source: string): WeightsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(detail);
    let where = '';
    if (position) {
      const offset = Number(position[1]);
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const column = offset - before.lastIndexOf('\n');
      where = ` at line ${line}, column ${column}`;
    }
    throw new WeightsError(`${source}: not a JSON file${where} (${detail})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new WeightsError(`${source}: expected a JSON object {"format": "nnspec-weights", "version": 1, "layers": [...]}`);
  }
  const record = data as Record<string, unknown>;
  if (record.format !== 'nnspec-weights') {
    throw new WeightsError(
      `${source}: "format" is ${record.format === undefined ? 'missing' : JSON.stringify(record.format)}; an NNSpec weights file has "format": "nnspec-weights"`,
    );
  }
  if (record.version !== 1) {
    throw new WeightsError(
      `${source}: "version" is ${record.version === undefined ? 'missing' : JSON.stringify(record.version)}; this NNSpec reads version 1`,
    );
  }
  if (!Array.isArray(record.layers)) {
    throw new WeightsError(`${source}: "layers" should be a list of {"weights": [[…]], "biases": […]}`);
  }
  const layers = record.layers.map((raw: unknown, i: number) => {
    const where = `${source}: layer ${i + 1}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new WeightsError(`${where}: expected {"weights": [[…]], "biases": […]}`);
    }
    const layer = raw as Record<string, unknown>;
    if (!Array.isArray(layer.weights)) throw new WeightsError(`${where}: "weights" should be a list of rows (one per neuron)`);
    const weights = layer.weights.map((row: unknown, j: number) => {
      if (!Array.isArray(row)) throw new WeightsError(`${where}: weights row ${j + 1} is not a list of numbers`);
      return row.map((value: unknown, k: number) => numberAt(value, `${where}: weights row ${j + 1}, column ${k + 1}`));
    });
    for (let j = 1; j < weights.length; j++) {
      if (weights[j].length !== weights[0].length) {
        throw new WeightsError(`${where}: ragged weights: row ${j + 1} has ${weights[j].length} values, row 1 has ${weights[0].length}`);
      }
    }
    const rawBiases = layer.biases === undefined ? [] : layer.biases;
    if (!Array.isArray(rawBiases)) throw new WeightsError(`${where}: "biases" should be a list of numbers`);
    const biases = rawBiases.map((value: unknown, j: number) => numberAt(value, `${where}: bias ${j + 1}`));
    return { weights, biases };
  });
  return { format: 'nnspec-weights', version: 1, layers };
}

function numberAt(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new WeightsError(`${where}: expected a number, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

/**
 * Throws WeightsError unless `w` fits the network: as many layers, each units × inputs weights
 * and units biases (a `bias=false` layer may give [] or zeros). The message names the layer,
 * what was expected and what the file has.
 */
export function checkWeightsShape(w: WeightsFile, spec: WeightsShape): void {
  if (w.layers.length !== spec.layers.length) {
    throw new WeightsError(`the weights have ${w.layers.length} layer${w.layers.length === 1 ? '' : 's'}, the network has ${spec.layers.length}`);
  }
  let inputs = spec.input.size;
  spec.layers.forEach((layer, l) => {
    const file = w.layers[l];
    const rows = file.weights.length;
    const cols = rows > 0 ? file.weights[0].length : 0;
    const uneven = file.weights.findIndex((row) => row.length !== cols);
    if (rows !== layer.units || cols !== inputs || uneven >= 0) {
      const got = uneven >= 0 ? `row ${uneven + 1} has ${file.weights[uneven].length} values, row 1 has ${cols}` : `${rows} × ${cols}`;
      throw new WeightsError(
        `layer ${l + 1}: expected ${layer.units} × ${inputs} weights (units × inputs), got ${got}`,
      );
    }
    if (layer.bias) {
      if (file.biases.length !== layer.units) {
        throw new WeightsError(`layer ${l + 1}: expected ${layer.units} biases, got ${file.biases.length}`);
      }
    } else if (file.biases.length !== 0 && (file.biases.length !== layer.units || file.biases.some((b) => b !== 0))) {
      throw new WeightsError(`layer ${l + 1} has bias=false, so its biases must be [] or ${layer.units} zeros; the weights give ${JSON.stringify(file.biases)}`);
    }
    inputs = layer.units;
  });
}

/** Shortest decimal that reads back as the same number (as float32 when it is a float32 value). */
function formatNumber(v: number): string {
  if (Math.fround(v) === v) {
    for (let digits = 1; digits <= 9; digits++) {
      const text = Number(v.toPrecision(digits)).toString();
      if (Math.fround(Number(text)) === v) return text;
    }
  }
  return String(v);
}

/** The file's text: one weight row per line, numbers as short as reading back exactly allows. */
export function weightsToJson(w: WeightsFile): string {
  const list = (values: number[]): string => `[${values.map(formatNumber).join(', ')}]`;
  const layers = w.layers.map((layer) => {
    const rows = layer.weights.map((row) => `        ${list(row)}`).join(',\n');
    return `    {\n      "weights": [\n${rows}\n      ],\n      "biases": ${list(layer.biases)}\n    }`;
  });
  return `{\n  "format": "nnspec-weights",\n  "version": 1,\n  "layers": [\n${layers.join(',\n')}\n  ]\n}\n`;
}
