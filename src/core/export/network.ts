/**
 * What every exporter hands over: the network (layers, activations, weights), the input
 * preparation `nnspec predict` applies to a raw input (the spec's `features` of a 2-D point, then
 * the normalisation with the training part's statistics), and, for PyTorch, the training recipe
 * and the prepared data.
 *
 * Weights are copied out of the trainer (its views are live), row-major units × inputs:
 * w^l_jk = weights[j * inputs + k], layer l = 1..L stored at index l − 1.
 */
import type { Activation, FeatureName, NetworkSpec } from '../spec';
import { encodeInput, rawInputSize } from '../features';
import type { Dataset } from '../data/types';
import type { Normalizer, PreparedData } from '../data/prepare';
import type { WeightsFile } from '../weights';

export type ExportFormat = 'onnx' | 'pytorch' | 'tfjs';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['pytorch', 'onnx', 'tfjs'];

export interface ExportedLayer {
  inputs: number;
  units: number;
  activation: Activation;
  bias: boolean;
  /** units × inputs, row-major. */
  weights: Float32Array;
  /** units (zeros when bias = false). */
  biases: Float32Array;
  /** Dropout's p while training (0: none). */
  dropout: number;
}

export interface ExportedNetwork {
  name: string;
  /** Width of a^0: the number of features when there are features. */
  inputSize: number;
  /** Numbers in one raw input: 2 (x1, x2) with features, else inputSize. */
  rawInputSize: number;
  /** The spec's `features` of the raw (x1, x2), in order; empty without. */
  features: FeatureName[];
  layers: ExportedLayer[];
  /** x ← (x − offset) ⊙ scale per input column, fitted on the training part (kind 'none': x). */
  normalizer: Normalizer;
  task: Dataset['task'];
  classNames?: string[];
}

/** An exported file: a path relative to the export's folder (or the file itself: ''), and its bytes. */
export interface ExportFile {
  path: string;
  data: string | Uint8Array;
}

/** The network of `spec` with these weights (a WeightsFile that fits it: checkWeightsShape first). */
export function exportedNetwork(spec: NetworkSpec, weights: WeightsFile, prepared: PreparedData, name: string): ExportedNetwork {
  let inputs = spec.input.size;
  const layers = spec.layers.map((layer, l): ExportedLayer => {
    const file = weights.layers[l];
    const w = new Float32Array(layer.units * inputs);
    file.weights.forEach((row, j) => w.set(row, j * inputs));
    const b = new Float32Array(layer.units);
    if (layer.bias) b.set(file.biases);
    const result = { inputs, units: layer.units, activation: layer.activation, bias: layer.bias, weights: w, biases: b, dropout: layer.dropout ?? 0 };
    inputs = layer.units;
    return result;
  });
  const { kind, offset, scale } = prepared.normalizer;
  const network: ExportedNetwork = {
    name,
    inputSize: spec.input.size,
    rawInputSize: rawInputSize(spec),
    features: spec.features ? [...spec.features] : [],
    layers,
    normalizer: { kind, offset: offset.slice(), scale: scale.slice() },
    task: prepared.train.task,
  };
  if (prepared.source.classNames) network.classNames = [...prepared.source.classNames];
  return network;
}

/** Raw input rows (count × rawInputSize) as the network sees them (count × inputSize): features, then normalisation. */
export function prepareInputs(network: ExportedNetwork, raw: Float32Array): Float32Array {
  const n = network.inputSize;
  const r = network.rawInputSize;
  const count = raw.length / r;
  const out = new Float32Array(count * n);
  for (let s = 0; s < count; s++) encodeInput(network.features, network.normalizer, raw.subarray(s * r, (s + 1) * r), out.subarray(s * n, (s + 1) * n));
  return out;
}
