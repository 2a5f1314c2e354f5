/**
 * The weights reader: a worker_threads Worker (bundled to dist/weightsWorker.js) that reads,
 * size-checks, parses and shape-checks a weights file for Load Weights, so that none of it — a
 * JSON.parse of up to hundreds of megabytes — runs on the extension host's thread. One request,
 * one answer (ToWeightsReader → FromWeightsReader, src/protocol.ts), the weights packed into
 * transferred Float32Arrays (PackedWeights) so that receiving them costs the host nothing per
 * number; the host ends the worker after.
 * No `vscode` here: it runs outside the extension host's API.
 */
import { parentPort } from 'node:worker_threads';
import { checkWeightsFileSize, packedBuffers, packWeights, WeightsError, type PackedWeights } from '../core/weights';
import { parseAndFit, readWeightsFile } from '../core/weightsFile';
import type { FromWeightsReader, ToWeightsReader } from '../protocol';
import type { WeightsFile } from '../core/weights';

const port = parentPort;
if (!port) throw new Error('weightsWorker.js must run in a worker_threads Worker');

port.on('message', (message: ToWeightsReader) => {
  let weights: PackedWeights;
  try {
    weights = packWeights(read(message));
  } catch (error) {
    const text = error instanceof WeightsError ? error.message : `${message.source}: ${error instanceof Error ? error.message : String(error)}`;
    port.postMessage({ type: 'weightsError', message: text } satisfies FromWeightsReader);
    return;
  }
  // Transferred, not copied: the host receives a few buffers whatever the size.
  port.postMessage({ type: 'weights', weights } satisfies FromWeightsReader, packedBuffers(weights));
});

function read(message: ToWeightsReader): WeightsFile {
  switch (message.type) {
    case 'readFile':
      return readWeightsFile(message.file, message.source, message.shape, message.memoryBudget);
    case 'parseText':
      checkWeightsFileSize(message.text.length, message.shape, message.source, message.memoryBudget);
      return parseAndFit(message.text, message.source, message.shape);
    default:
      return assertNever(message);
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown weights-reader message ${JSON.stringify(value)}`);
}
