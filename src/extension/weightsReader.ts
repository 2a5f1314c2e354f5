/**
 * Host side of the weights reader (weightsWorker.ts): starts a short-lived Worker over
 * dist/weightsWorker.js, sends one request, resolves with the weights or rejects with an Error
 * whose message names the file and what is wrong. The host's thread only posts and waits.
 * No `vscode` import, so it is tested directly (test/unit/ext-weightsReader.test.ts).
 */
import { Worker } from 'node:worker_threads';
import type { PackedWeights } from '../core/weights';
import type { FromWeightsReader, ToWeightsReader } from '../protocol';

/** Reads weights in a worker running `script` (the path of dist/weightsWorker.js). */
export function readWeightsInWorker(script: string, request: ToWeightsReader): Promise<PackedWeights> {
  return new Promise<PackedWeights>((resolve, reject) => {
    const worker = new Worker(script);
    let settled = false;
    const finish = (result: { weights: PackedWeights } | { error: Error }): void => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      if ('weights' in result) resolve(result.weights);
      else reject(result.error);
    };
    worker.on('message', (message: FromWeightsReader) => {
      switch (message.type) {
        case 'weights':
          finish({ weights: message.weights });
          return;
        case 'weightsError':
          finish({ error: new Error(message.message) });
          return;
        default:
          finish({ error: new Error(`unexpected answer from the weights reader: ${JSON.stringify(message satisfies never)}`) });
      }
    });
    worker.on('error', (error) => finish({ error: new Error(`${request.source}: the weights reader failed: ${error.message}`) }));
    worker.on('exit', (code) => finish({ error: new Error(`${request.source}: the weights reader stopped (exit ${code}) without an answer`) }));
    worker.postMessage(request);
  });
}
