/**
 * The TensorFlow.js export: model.json in the Layers format (a Keras-style Sequential topology and
 * a weights manifest) and weights.bin (little-endian float32, in the manifest's order), loadable with
 * tf.loadLayersModel('file://…/model.json') or tf.io.fromMemory.
 *
 * Each dense layer l is a Dense layer `dense_l` (kernel inputs × units = (W^l)ᵀ, bias units); its
 * activation is Dense's own (linear, sigmoid, tanh, relu, softmax), except leaky_relu, which Dense
 * lacks: a linear Dense followed by a LeakyReLU layer with alpha 0.01.
 *
 * The model takes PREPARED inputs (the spec's features of (x1, x2), then normalised as NNSpec does:
 * x ← (x − offset) ⊙ scale); the features, the normalisation and its statistics travel in
 * model.json's userDefinedMetadata.nnspec.
 */
import type { Activation } from '../spec';
import { LEAKY_SLOPE } from '../engine/activations';
import type { ExportedNetwork, ExportFile } from './network';

const DENSE_ACTIVATION: Record<Activation, string> = {
  identity: 'linear',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  relu: 'relu',
  leaky_relu: 'linear',
  softmax: 'softmax',
};

export const TFJS_WEIGHTS_FILE = 'weights.bin';

export function tfjsFiles(network: ExportedNetwork): ExportFile[] {
  const layers: object[] = [];
  const weights: { name: string; shape: number[]; dtype: 'float32' }[] = [];
  const chunks: Float32Array[] = [];
  network.layers.forEach((layer, i) => {
    const l = i + 1; // layer l counts from 1
    const name = `dense_${l}`;
    const config: Record<string, unknown> = {
      name,
      trainable: true,
      dtype: 'float32',
      units: layer.units,
      activation: DENSE_ACTIVATION[layer.activation],
      use_bias: layer.bias,
    };
    if (i === 0) config.batch_input_shape = [null, network.inputSize];
    layers.push({ class_name: 'Dense', config });
    if (layer.activation === 'leaky_relu') {
      layers.push({ class_name: 'LeakyReLU', config: { name: `leaky_relu_${l}`, trainable: true, dtype: 'float32', alpha: LEAKY_SLOPE } });
    }
    // kernel[k][j] = w^l_jk: inputs × units
    const kernel = new Float32Array(layer.inputs * layer.units);
    for (let j = 0; j < layer.units; j++) for (let k = 0; k < layer.inputs; k++) kernel[k * layer.units + j] = layer.weights[j * layer.inputs + k];
    weights.push({ name: `${name}/kernel`, shape: [layer.inputs, layer.units], dtype: 'float32' });
    chunks.push(kernel);
    if (layer.bias) {
      weights.push({ name: `${name}/bias`, shape: [layer.units], dtype: 'float32' });
      chunks.push(layer.biases);
    }
  });
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const bin = new Uint8Array(total * 4);
  const view = new DataView(bin.buffer);
  let offset = 0;
  for (const chunk of chunks) for (const value of chunk) (view.setFloat32(offset, value, true), (offset += 4));

  const { kind, offset: shift, scale } = network.normalizer;
  const model = {
    format: 'layers-model',
    generatedBy: 'nnspec',
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: { name: network.name, layers },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
    weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights }],
    userDefinedMetadata: {
      nnspec: {
        inputs: 'prepared: the features of (x1, x2) when there are any, then x ← (x − offset) ⊙ scale per column (normalize none: as it is)',
        features: network.features,
        normalize: kind,
        offset: Array.from(shift),
        scale: Array.from(scale),
        task: network.task,
        classNames: network.classNames ?? null,
      },
    },
  };
  return [
    { path: 'model.json', data: JSON.stringify(model, null, 1) + '\n' },
    { path: TFJS_WEIGHTS_FILE, data: bin },
  ];
}
