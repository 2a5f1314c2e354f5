/**
 * The weights reader: a worker_threads Worker (bundled to dist/weightsWorker.js) that reads,
 * size-checks, parses and shape-checks a weights file for Load Weights, so that none of it — a
 * JSON.parse of up to hundreds of megabytes — runs on the extension host's thread. One request,
 * one answer (ToWeightsReader → FromWeightsReader, src/protocol.ts); the host ends the worker after.
 * No `vscode` here: it runs outside the extension host's API.
 */
import { parentPort } from 'node:worker_threads';
import { checkWeightsFileSize, WeightsError } from '../core/weights';
import { parseAndFit, readWeightsFile } from '../core/weightsFile';
import type { FromWeightsReader, ToWeightsReader } from '../protocol';

const port = parentPort;
if (!port) throw new Error('weightsWorker.js must run in a worker_threads Worker');

port.on('message', (message: ToWeightsReader) => {
  let answer: FromWeightsReader;
  try {
    answer = { type: 'weights', weights: read(message) };
  } catch (error) {
    const text = error instanceof WeightsError ? error.message : `${message.source}: ${error instanceof Error ? error.message : String(error)}`;
    answer = { type: 'weightsError', message: text };
  }
  port.postMessage(answer);
});

function read(message: ToWeightsReader): ReturnType<typeof parseAndFit> {
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
