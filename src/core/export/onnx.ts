/**
 * The ONNX export: one ModelProto (IR version 7, opset 13), written with the small protobuf writer.
 *
 *   input  "input"  float32 [N, raw]      raw inputs, as `nnspec predict --input` takes them
 *   features (when the spec has them)     raw = (x1, x2): Gather each column ([N, 1]), each feature
 *                                         from them (Mul for x1^2, x2^2, x1*x2; Sin), Concat → [N, features]
 *   Sub(offset), Mul(scale)               the spec's normalisation, x ← (x − offset) ⊙ scale (when not none)
 *   per dense layer l: Gemm(a^{l−1}, W^l, b^l; transB = 1) = a^{l−1} (W^l)ᵀ + b^l = z^l,
 *                      then its activation: Relu, Sigmoid, Tanh, LeakyRelu(alpha 0.01),
 *                      Softmax(axis −1); none for identity
 *   output "output" float32 [N, outputs]
 * W^l is stored as NNSpec keeps it, units × inputs (hence transB); N is the symbolic batch dimension.
 *
 * Field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto, TypeProto, TensorShapeProto).
 */
import type { Activation, FeatureName } from '../spec';
import { LEAKY_SLOPE } from '../engine/activations';
import type { ExportedNetwork } from './network';
import { ProtoWriter } from './protobuf';

export const ONNX_IR_VERSION = 7;
export const ONNX_OPSET = 13;

const FLOAT = 1; // TensorProto.DataType.FLOAT
const INT64 = 7; // TensorProto.DataType.INT64
const ATTRIBUTE_FLOAT = 1; // AttributeProto.AttributeType
const ATTRIBUTE_INT = 2;

interface Node {
  op: string;
  inputs: string[];
  output: string;
  attributes?: { name: string; float?: number; int?: number }[];
}

/** The activation's node, or null for identity. */
const ACTIVATION_NODES: Record<Activation, Omit<Node, 'inputs' | 'output'> | null> = {
  identity: null,
  sigmoid: { op: 'Sigmoid' },
  tanh: { op: 'Tanh' },
  relu: { op: 'Relu' },
  leaky_relu: { op: 'LeakyRelu', attributes: [{ name: 'alpha', float: LEAKY_SLOPE }] },
  softmax: { op: 'Softmax', attributes: [{ name: 'axis', int: -1 }] },
};

/** Each feature of the columns x1, x2 ([N, 1] each): the node making it, or the column itself. */
const FEATURE_NODES: Record<FeatureName, { op: 'Mul' | 'Sin'; inputs: string[] } | string> = {
  x1: 'x1',
  x2: 'x2',
  'x1^2': { op: 'Mul', inputs: ['x1', 'x1'] },
  'x2^2': { op: 'Mul', inputs: ['x2', 'x2'] },
  'x1*x2': { op: 'Mul', inputs: ['x1', 'x2'] },
  'sin(x1)': { op: 'Sin', inputs: ['x1'] },
  'sin(x2)': { op: 'Sin', inputs: ['x2'] },
};

interface Initializer {
  name: string;
  dims: number[];
  values: Float32Array | BigInt64Array;
}

export function onnxModel(network: ExportedNetwork): Uint8Array {
  const nodes: Node[] = [];
  const initializers: Initializer[] = [];
  let current = 'input';
  if (network.features.length > 0) {
    // x1 = input[:, [0]], x2 = input[:, [1]] (Gather with 1-D indices keeps the axis: [N, 1])
    initializers.push({ name: 'column_0', dims: [1], values: BigInt64Array.of(0n) });
    initializers.push({ name: 'column_1', dims: [1], values: BigInt64Array.of(1n) });
    nodes.push({ op: 'Gather', inputs: ['input', 'column_0'], output: 'x1', attributes: [{ name: 'axis', int: 1 }] });
    nodes.push({ op: 'Gather', inputs: ['input', 'column_1'], output: 'x2', attributes: [{ name: 'axis', int: 1 }] });
    const columns = network.features.map((feature, k) => {
      const made = FEATURE_NODES[feature];
      if (typeof made === 'string') return made;
      nodes.push({ op: made.op, inputs: made.inputs, output: `feature_${k}` });
      return `feature_${k}`;
    });
    nodes.push({ op: 'Concat', inputs: columns, output: 'features', attributes: [{ name: 'axis', int: 1 }] });
    current = 'features';
  }
  if (network.normalizer.kind !== 'none') {
    initializers.push({ name: 'normalize_offset', dims: [network.inputSize], values: network.normalizer.offset });
    initializers.push({ name: 'normalize_scale', dims: [network.inputSize], values: network.normalizer.scale });
    nodes.push({ op: 'Sub', inputs: [current, 'normalize_offset'], output: 'shifted' });
    nodes.push({ op: 'Mul', inputs: ['shifted', 'normalize_scale'], output: 'prepared' });
    current = 'prepared';
  }
  const L = network.layers.length;
  network.layers.forEach((layer, i) => {
    const l = i + 1; // layer l counts from 1; i is its 0-based index
    const last = l === L;
    const activationNode = ACTIVATION_NODES[layer.activation];
    initializers.push({ name: `W${l}`, dims: [layer.units, layer.inputs], values: layer.weights });
    const inputs = [current, `W${l}`];
    if (layer.bias) {
      initializers.push({ name: `b${l}`, dims: [layer.units], values: layer.biases });
      inputs.push(`b${l}`);
    }
    const z = last && !activationNode ? 'output' : `z${l}`;
    nodes.push({ op: 'Gemm', inputs, output: z, attributes: [{ name: 'transB', int: 1 }] });
    current = z;
    if (activationNode) {
      const a = last ? 'output' : `a${l}`;
      nodes.push({ ...activationNode, inputs: [z], output: a });
      current = a;
    }
  });

  const graph = new ProtoWriter();
  nodes.forEach((node, i) => graph.message(1, nodeProto(node, `${node.op}_${i}`)));
  graph.string(2, network.name);
  for (const tensor of initializers) graph.message(5, tensorProto(tensor.name, tensor.dims, tensor.values));
  graph.message(11, valueInfo('input', network.rawInputSize));
  graph.message(12, valueInfo('output', network.layers[L - 1].units));

  const model = new ProtoWriter();
  model.varint(1, ONNX_IR_VERSION);
  model.string(2, 'nnspec');
  model.string(3, '0.1');
  model.message(7, graph);
  model.message(8, new ProtoWriter().varint(2, ONNX_OPSET)); // OperatorSetIdProto: domain '' (ai.onnx), version
  return model.finish();
}

function nodeProto(node: Node, name: string): ProtoWriter {
  const w = new ProtoWriter();
  for (const input of node.inputs) w.string(1, input);
  w.string(2, node.output);
  w.string(3, name);
  w.string(4, node.op);
  for (const attribute of node.attributes ?? []) {
    const a = new ProtoWriter().string(1, attribute.name);
    if (attribute.float !== undefined) a.float(2, attribute.float).varint(20, ATTRIBUTE_FLOAT);
    else a.varint(3, attribute.int ?? 0).varint(20, ATTRIBUTE_INT);
    w.message(5, a);
  }
  return w;
}

/** A float32 or int64 tensor, its values little-endian in raw_data. */
function tensorProto(name: string, dims: number[], values: Float32Array | BigInt64Array): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of dims) w.varint(1, d);
  const int64 = values instanceof BigInt64Array;
  w.varint(2, int64 ? INT64 : FLOAT);
  w.string(8, name);
  const raw = new Uint8Array(values.length * (int64 ? 8 : 4));
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) {
    if (values instanceof BigInt64Array) view.setBigInt64(8 * i, values[i], true);
    else view.setFloat32(4 * i, values[i], true);
  }
  w.bytes(9, raw);
  return w;
}

/** float32 [N, width], N symbolic. */
function valueInfo(name: string, width: number): ProtoWriter {
  const shape = new ProtoWriter()
    .message(1, new ProtoWriter().string(2, 'N'))
    .message(1, new ProtoWriter().varint(1, width));
  const tensorType = new ProtoWriter().varint(1, FLOAT).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}
