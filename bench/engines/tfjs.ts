/**
 * TensorFlow.js 4.x, single thread, in two backends and two styles:
 *   cpu  + model.fit            what most users write (tf.sequential, compile, fit)
 *   cpu  + hand-written loop    optimizer.minimize per mini-batch, nothing else
 *   wasm + hand-written loop    @tensorflow/tfjs-backend-wasm (its SIMD .wasm, loaded from node_modules)
 *
 * Same arithmetic as NNSpec:
 *   - mse: TF's meanSquaredError averages (y − a)² over the batch AND the o outputs, so its
 *     gradient is (2/o)·(a − y)/m where Nielsen's ½‖y − a‖² batch mean gives (a − y)/m: a rate
 *     of η·o/2 makes TF's update w ← w − η ∂C/∂w exactly Nielsen's.
 *   - cce: categoricalCrossentropy on the softmax output, averaged over the batch: Nielsen's, same η.
 *   - plain SGD (tf.train.sgd), batch size m, biases on every layer, no regularisation.
 * Initial weights differ (Glorot uniform, He normal for ReLU layers): they do not change the work.
 */
import type * as TF from '@tensorflow/tfjs';
import type { BenchData } from '../data';
import { outputsOf, type BenchNetwork } from '../networks';
import type { Engine, Session } from './types';

let tfModule: typeof TF | undefined;

async function tfWithBackend(backend: 'cpu' | 'wasm'): Promise<typeof TF> {
  if (!tfModule) {
    tfModule = (await import('@tensorflow/tfjs')) as typeof TF;
    await import('@tensorflow/tfjs-backend-wasm');
    // One thread, like every other engine here: no pthreads pool for the wasm backend.
    tfModule.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  const tf = tfModule;
  if (tf.getBackend() !== backend) {
    if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend '${backend}' failed to initialise`);
  }
  await tf.ready();
  return tf;
}

export function tfjsEngine(backend: 'cpu' | 'wasm', style: 'fit' | 'loop'): Engine {
  return {
    id: `tfjs-${backend}-${style}`,
    label: `TensorFlow.js ${backend} backend, ${style === 'fit' ? 'model.fit' : 'hand-written loop'}`,
    unsupported: () => null,
    async create(net: BenchNetwork, data: BenchData): Promise<Session> {
      const tf = await tfWithBackend(backend);
      const model = tf.sequential();
      net.layers.forEach((layer, l) => {
        model.add(
          tf.layers.dense({
            units: layer.units,
            activation: layer.activation === 'leaky_relu' ? 'relu' : layer.activation === 'identity' ? 'linear' : layer.activation,
            inputShape: l === 0 ? [net.inputs] : undefined,
            kernelInitializer: layer.activation === 'relu' ? 'heNormal' : 'glorotUniform',
          }),
        );
      });
      const o = outputsOf(net);
      const rate = net.loss === 'mse' ? (net.rate * o) / 2 : net.rate;
      const optimizer = tf.train.sgd(rate);
      const lossOf = (ys: TF.Tensor, predictions: TF.Tensor): TF.Scalar =>
        net.loss === 'mse' ? (tf.losses.meanSquaredError(ys, predictions) as TF.Scalar) : tf.metrics.categoricalCrossentropy(ys, predictions).mean();
      if (style === 'fit') model.compile({ optimizer, loss: net.loss === 'mse' ? 'meanSquaredError' : 'categoricalCrossentropy' });

      const m = net.batch;
      const n = net.inputs;
      let cursor = 0;
      /** The next `rows` samples from the cursor, wrapping round: copies into x, y. */
      const take = (x: Float32Array, y: Float32Array, rows: number): void => {
        for (let r = 0; r < rows; r++) {
          const i = cursor;
          cursor = (cursor + 1) % data.count;
          x.set(data.inputs.subarray(i * n, (i + 1) * n), r * n);
          y.set(data.targets.subarray(i * o, (i + 1) * o), r * o);
        }
      };
      const batchX = new Float32Array(m * n);
      const batchY = new Float32Array(m * o);

      return {
        async steps(count) {
          if (style === 'fit') {
            const x = new Float32Array(count * m * n);
            const y = new Float32Array(count * m * o);
            take(x, y, count * m);
            const xs = tf.tensor2d(x, [count * m, n]);
            const ys = tf.tensor2d(y, [count * m, o]);
            await model.fit(xs, ys, { batchSize: m, epochs: 1, shuffle: false, verbose: 0 });
            xs.dispose();
            ys.dispose();
            return;
          }
          for (let s = 0; s < count; s++) {
            take(batchX, batchY, m);
            tf.tidy(() => {
              const xs = tf.tensor2d(batchX, [m, n]);
              const ys = tf.tensor2d(batchY, [m, o]);
              optimizer.minimize(() => lossOf(ys, model.apply(xs) as TF.Tensor));
            });
          }
        },
        predict(inputs, count) {
          const output = tf.tidy(() => model.predict(tf.tensor2d(inputs.subarray(0, count * n), [count, n])) as TF.Tensor);
          const values = Float32Array.from(output.dataSync());
          output.dispose();
          return values;
        },
        bufferBytes: () => tf.memory().numBytes,
        dispose() {
          model.dispose();
          optimizer.dispose();
        },
      };
    },
  };
}
