/**
 * NNSpec itself: the real Trainer (src/core/engine/trainer.ts) on a spec parsed from .nnspec text,
 * with the WebAssembly SIMD kernels (the default) or the plain JavaScript ones. A step is
 * everything the product does for one mini-batch: gather the rows, forward, backward, gradient,
 * divergence check, update, and the bookkeeping the panel shows (last and epoch changes).
 */
import { createKernels, type KernelsKind } from '../../src/core/engine/createKernels';
import type { Kernels } from '../../src/core/engine/kernels';
import { createTrainer, defaultKernels } from '../../src/core/engine/trainer';
import { prepareData } from '../../src/core/data/prepare';
import type { Dataset } from '../../src/core/data/types';
import { parseSpec } from '../../src/core/lang';
import type { BenchData } from '../data';
import { nnspecText, type BenchNetwork } from '../networks';
import type { Engine, Session } from './types';

export function nnspecEngine(kind: KernelsKind, options: { batchOne?: boolean } = {}): Engine {
  const kernelsLabel = {
    auto: 'default: WebAssembly SIMD, plain JS when tiny',
    wasm: 'WebAssembly SIMD',
    'wasm-simd': 'plain WebAssembly SIMD build, no FMA',
    'wasm-relaxed-simd': 'WebAssembly relaxed SIMD, FMA',
    js: 'plain JS kernels',
  }[kind];
  return {
    id: `nnspec-${kind}${options.batchOne ? '-b1' : ''}`,
    label: `NNSpec (${kernelsLabel}${options.batchOne ? ', batch 1' : ''})`,
    batchOneOnly: options.batchOne,
    unsupported: () => null,
    async create(net: BenchNetwork, data: BenchData): Promise<Session> {
      const parsed = parseSpec(nnspecText(net));
      // The data is passed in below, so the spec has no `data` statement on purpose.
      const errors = parsed.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'missing-data');
      if (errors.length > 0) throw new Error(`bench spec for ${net.id} does not parse: ${errors.map((d) => d.message).join('; ')}`);
      const dataset: Dataset = {
        name: data.name,
        count: data.count,
        inputSize: data.inputSize,
        outputSize: data.outputSize,
        inputs: data.inputs,
        targets: data.targets,
        task: data.outputSize === 1 ? 'binary' : 'classification',
      };
      const prepared = prepareData(dataset, { validation: 0, normalize: 'none', seed: 1 });
      let allocated = 0;
      // 'auto' is what the product does: createTrainer's default choice for this network.
      const inner = kind === 'auto' ? defaultKernels(parsed.spec, prepared) : createKernels(kind);
      const kernels: Kernels = {
        ...inner,
        name: inner.name,
        alloc(length) {
          allocated += length * 4;
          return inner.alloc(length);
        },
      };
      const trainer = createTrainer(parsed.spec, prepared, { kernels });
      return {
        steps(count) {
          for (let i = 0; i < count; i++) trainer.stepOnce();
        },
        predict(inputs, count) {
          const outputs = net.layers[net.layers.length - 1].units;
          const result = new Float32Array(count * outputs);
          for (let i = 0; i < count; i++) result.set(trainer.predict(inputs.subarray(i * net.inputs, (i + 1) * net.inputs)), i * outputs);
          return result;
        },
        bufferBytes: () => allocated,
      };
    },
  };
}
