/**
 * convnetjs 0.3.0 (Karpathy): fully connected layers, trained by its Trainer with plain SGD.
 *
 * Same arithmetic as NNSpec:
 *   - mse: its RegressionLayer loss is ½‖y − a‖² per sample (Nielsen's C_x). convnetjs's
 *     `regression` layer definition would insert an extra fully connected layer, so the sigmoid
 *     output layer is built with `fc` + activation and a RegressionLayer is appended by hand.
 *   - cce: its `softmax` layer (fc + softmax, loss −ln a_y): Nielsen's C_x.
 *   - Trainer: method 'sgd', batch_size m, momentum 0, no L2/L1: it sums ∂C_x/∂w over m samples
 *     and applies w ← w − η (Σ/m): Nielsen's update with the same η.
 * It computes per sample in float64 (convnetjs Vols are Float64Arrays).
 */
import type { BenchData } from '../data';
import { outputsOf, type BenchNetwork } from '../networks';
import type { Engine, Session } from './types';

export function convnetEngine(): Engine {
  return {
    id: 'convnetjs',
    label: 'convnetjs 0.3.0',
    unsupported(net) {
      if (net.loss === 'cce' && net.layers[net.layers.length - 1].activation !== 'softmax') return 'cce only with a softmax output';
      if (net.loss !== 'mse' && net.loss !== 'cce') return `no ${net.loss} cost`;
      return null;
    },
    async create(net: BenchNetwork, data: BenchData): Promise<Session> {
      const module = await import('convnetjs');
      // Node's ESM loader sees convnetjs's CommonJS export only as `default`.
      const convnetjs = ((module as unknown as { default?: typeof module }).default ?? module) as typeof module;
      const o = outputsOf(net);
      const n = net.inputs;
      const defs: object[] = [{ type: 'input', out_sx: 1, out_sy: 1, out_depth: n }];
      const hidden = net.loss === 'cce' ? net.layers.slice(0, -1) : net.layers;
      for (const layer of hidden) defs.push({ type: 'fc', num_neurons: layer.units, activation: layer.activation });
      if (net.loss === 'cce') defs.push({ type: 'softmax', num_classes: o });
      const model = new convnetjs.Net();
      model.makeLayers(defs);
      if (net.loss === 'mse') model.layers.push(new convnetjs.RegressionLayer({ in_sx: 1, in_sy: 1, in_depth: o }));
      const trainer = new convnetjs.Trainer(model, { method: 'sgd', learning_rate: net.rate, batch_size: net.batch, momentum: 0, l2_decay: 0, l1_decay: 0 });
      const x = new convnetjs.Vol(1, 1, n, 0);
      const target = new Array<number>(o).fill(0);
      let cursor = 0;
      return {
        steps(count) {
          for (let s = 0; s < count * net.batch; s++) {
            const i = cursor;
            cursor = (cursor + 1) % data.count;
            x.w.set(data.inputs.subarray(i * n, (i + 1) * n));
            if (net.loss === 'cce') trainer.train(x, data.labels[i]);
            else {
              for (let j = 0; j < o; j++) target[j] = data.targets[i * o + j];
              trainer.train(x, target);
            }
          }
        },
        predict(inputs, count) {
          const result = new Float32Array(count * o);
          for (let i = 0; i < count; i++) {
            x.w.set(inputs.subarray(i * n, (i + 1) * n));
            result.set(model.forward(x, false).w, i * o);
          }
          return result;
        },
      };
    },
  };
}
