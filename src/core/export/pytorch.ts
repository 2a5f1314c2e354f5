/**
 * The PyTorch export: a folder a person can copy to a GPU machine and run.
 *
 *   model.py     NNSpecNet (nn.Module of the spec's layers), load/save NNSpec weights files, prepare()
 *   train.py     NNSpec's training, step for step (single process or torchrun + DDP)
 *   weights.json the start weights (NNSpec's weights file)
 *   data/        train_inputs.npy, train_targets.npy (+ validation_*.npy): the prepared parts,
 *                normalised, float32; normalizer.npy: 2 × inputs, row 0 the offsets, row 1 the scales
 *   README.md    how to run it
 *
 * model.py and train.py are templates (media/export/pytorch/); the spec fills their generated block.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NetworkSpec, StopSpec } from '../spec';
import type { PreparedData } from '../data/prepare';
import type { Dataset } from '../data/types';
import { weightsToJson, type WeightsFile } from '../weights';
import type { ExportedNetwork, ExportFile } from './network';
import { npyFloat32 } from './npy';
import { pytorchOptimizer } from './optimizers';
import { fillTemplate, pythonLiteral, PythonTuple, type PythonValue } from './python';

export interface PytorchExportInput {
  network: ExportedNetwork;
  spec: NetworkSpec;
  prepared: PreparedData;
  weights: WeightsFile;
  /** The package's media/ folder (the templates are in media/export/pytorch/). */
  assetsDir: string;
}

export function pytorchFiles(input: PytorchExportInput): ExportFile[] {
  const { network, spec, prepared, weights, assetsDir } = input;
  const template = (name: string): string => fs.readFileSync(path.join(assetsDir, 'export', 'pytorch', name), 'utf8');
  const files: ExportFile[] = [
    { path: 'model.py', data: fillTemplate(template('model.py'), modelBlock(network), 'model.py') },
    { path: 'train.py', data: fillTemplate(template('train.py'), recipeBlock(spec), 'train.py') },
    { path: 'weights.json', data: weightsToJson(weights) },
    ...part('train', prepared.train),
  ];
  if (prepared.validation) files.push(...part('validation', prepared.validation));
  const n = network.inputSize;
  const statistics = new Float32Array(2 * n);
  statistics.set(network.normalizer.offset, 0);
  statistics.set(network.normalizer.scale, n);
  files.push({ path: 'data/normalizer.npy', data: npyFloat32(statistics, [2, n]) });
  files.push({ path: 'README.md', data: readme(network, spec, prepared) });
  return files;
}

function part(name: string, data: Dataset): ExportFile[] {
  return [
    { path: `data/${name}_inputs.npy`, data: npyFloat32(data.inputs, [data.count, data.inputSize]) },
    { path: `data/${name}_targets.npy`, data: npyFloat32(data.targets, [data.count, data.outputSize]) },
  ];
}

function modelBlock(network: ExportedNetwork): string {
  const layers = network.layers.map((layer) => `    ${pythonLiteral(new PythonTuple([layer.inputs, layer.units, layer.activation, layer.bias]))},`);
  return [
    `NAME = ${pythonLiteral(network.name)}`,
    `INPUT_SIZE = ${network.inputSize}`,
    '# (inputs, units, activation, bias) of the dense layers l = 1..L',
    'LAYERS = [',
    ...layers,
    ']',
    '# dropout p of each layer while training (0: none); nothing is dropped outside training',
    `DROPOUT = ${pythonLiteral(network.layers.map((layer) => layer.dropout))}`,
    `# 'classification' (one-hot targets), 'binary' (one output, 0/1) or 'regression'`,
    `TASK = ${pythonLiteral(network.task)}`,
    `CLASS_NAMES = ${pythonLiteral(network.classNames ?? null)}`,
    `# the spec's \`features\` of a raw (x1, x2), in order ([]: the raw inputs are the network's)`,
    `FEATURES = ${pythonLiteral(network.features)}`,
    `RAW_INPUT_SIZE = ${network.rawInputSize}`,
    `# the spec's \`normalize\`; its statistics (of the training part) are in data/normalizer.npy`,
    `NORMALIZE = ${pythonLiteral(network.normalizer.kind)}`,
  ].join('\n');
}

function recipeBlock(spec: NetworkSpec): string {
  return [
    '# The spec\'s training: cost, optimizer (rate eta, per-epoch decay d, its own options), batch',
    '# size (or "full"), epochs, L2 and L1 lambdas (weights only), early stopping (None: every epoch),',
    '# and the seed of the mini-batch shuffle and the dropout masks.',
    'RECIPE = {',
    `    "loss": ${pythonLiteral(spec.loss)},`,
    `    "optimizer": ${pythonLiteral(pytorchOptimizer(spec.optimizer))},`,
    `    "batch": ${pythonLiteral(spec.batch)},`,
    `    "epochs": ${spec.epochs},`,
    `    "l2": ${pythonLiteral(spec.l2)},`,
    `    "l1": ${pythonLiteral(spec.l1 ?? 0)},`,
    `    "stop": ${pythonLiteral(stopRecipe(spec.stop))},`,
    `    "seed": ${spec.seed},`,
    '}',
  ].join('\n');
}

function stopRecipe(stop: StopSpec | undefined): PythonValue {
  if (!stop) return null;
  return { monitor: stop.monitor, patience: stop.patience ?? null, goal: stop.goal ?? null, min_delta: stop.minDelta, restore: stop.restore };
}

function readme(network: ExportedNetwork, spec: NetworkSpec, prepared: PreparedData): string {
  const architecture = [network.inputSize, ...network.layers.map((layer) => layer.units)].join('-');
  const activations = network.layers.map((layer) => layer.activation).join('/');
  const validation = prepared.validation ? prepared.validation.count : 0;
  return `# ${network.name} — exported from NNSpec

${architecture} ${activations}, loss ${spec.loss}; ${prepared.train.count} training samples, ${validation} validation.
Needs Python 3 with PyTorch and NumPy (Debian: \`apt-get install python3-torch\`).

\`\`\`sh
python3 train.py                                  # the spec's ${spec.epochs} epochs from weights.json, saves trained.json
python3 train.py --epochs 3 --weights IN.json --save OUT.json --device cpu
torchrun --nproc_per_node=2 train.py              # 2 processes (DDP); GPUs: one process per GPU
\`\`\`

\`train.py\` trains as \`nnspec train\` does: the same mini-batches in the same order (NNSpec's seeded
shuffle), the same cost, δ^L rule, L2 term and update, the same rate per epoch; it prints one line per
epoch like \`nnspec train\` and saves an NNSpec weights file that \`nnspec predict --weights\`, \`nnspec train
--weights\` and VS Code's **NNSpec: Load Weights…** read.

Under \`torchrun --nproc_per_node=K\` every global mini-batch is split into K parts, one per process
(gloo on CPU, nccl with \`--device cuda\`, the default when a GPU is there); when the batch size is
divisible by K the run equals the single-process one up to float32 rounding. Rank 0 prints and saves.

- One machine, all its GPUs: \`torchrun --standalone --nproc_per_node=gpu train.py\`
- Several machines (the same folder on each): on every node
  \`torchrun --nnodes=N --nproc_per_node=K --rdzv_backend=c10d --rdzv_endpoint=HOST:29500 --rdzv_id=nnspec train.py\`
  with HOST one of the nodes; the global batch is then split into N·K parts.
- On Python 3.11 with PyTorch 1.13, add \`--redirects 1 --tee 1\` to torchrun (its default output settings crash there).

Files: \`model.py\` (\`NNSpecNet\`, \`load_weights\`, \`save_weights\`, \`prepare(raw)\`: raw inputs as
\`nnspec predict --input\` takes them, normalised as NNSpec does), \`train.py\`, \`weights.json\` (the start
weights), \`data/train_*.npy\`${validation ? ', `data/validation_*.npy`' : ''} (the prepared, normalised parts:
\`numpy.load\` reads them), \`data/normalizer.npy\` (row 0 offsets, row 1 scales: x ← (x − offset)·scale).

\`\`\`python
import torch
from model import NNSpecNet, load_weights, prepare
net = NNSpecNet(); load_weights(net, "trained.json")
print(net(prepare([[${Array.from({ length: Math.min(network.inputSize, 4) }, () => '0').join(', ')}${network.inputSize > 4 ? ', …' : ''}]])))
\`\`\`
`;
}
