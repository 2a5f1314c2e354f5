// The extension host's thread while the two large loads of VS Code run off it: the data check
// of diagnostics.ts (dist/worker.js 'load', as its checker worker does on open and save) and
// Load Weights' reader (dist/weightsWorker.js, then setWeights to a training worker).
// This thread stands in for the host: it records its event-loop delay (perf_hooks
// monitorEventLoopDelay) and how long it was busy in all (eventLoopUtilization().active), the
// figure that does not depend on other processes on the machine; an idle baseline comes first.
//   node esbuild.mjs && node bench/hostLoads.mjs
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';

const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'nnspec-hostloads-'));

/** Runs `work` while measuring this thread: { ms, maxDelayMs, busyMs, result }. */
async function measure(work) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const elu = performance.eventLoopUtilization();
  const start = performance.now();
  const result = await work();
  const ms = performance.now() - start;
  histogram.disable();
  return { ms, maxDelayMs: histogram.max / 1e6, busyMs: performance.eventLoopUtilization(elu).active, result };
}

function dataCheck(specPath) {
  return new Promise((done) => {
    const worker = new Worker(join(root, 'dist', 'worker.js'));
    worker.on('message', (m) => {
      if (m.type !== 'loaded' && m.type !== 'loadFailed' && m.type !== 'fatal') return;
      void worker.terminate();
      done(m.type === 'loaded' ? 'loaded' : `${m.type}: ${m.message.slice(0, 70)}…`);
    });
    const settings = { updateHz: 20, maxParameters: 5_000_000, includeLayers: false };
    worker.postMessage({ type: 'load', specText: readFileSync(specPath, 'utf8'), specPath, assetsDir: join(root, 'media'), settings });
  });
}

function loadWeights(file, units, inputs) {
  return new Promise((done) => {
    const reader = new Worker(join(root, 'dist', 'weightsWorker.js'));
    reader.on('message', (m) => {
      void reader.terminate();
      if (m.type !== 'weights') return done(m.message);
      // As Load Weights does next: the packed weights move on to the training worker (transferred).
      const sink = new Worker("require('node:worker_threads').parentPort.on('message', (m) => require('node:worker_threads').parentPort.postMessage('ok'))", { eval: true });
      const buffers = m.weights.layers.flatMap((l) => [l.weights.buffer, l.biases.buffer]);
      sink.postMessage({ type: 'request', id: 1, request: { kind: 'setWeights', weights: m.weights } }, buffers);
      sink.once('message', () => {
        void sink.terminate();
        done('weights set');
      });
    });
    reader.postMessage({ type: 'readFile', file, source: 'w.json', shape: { input: { size: inputs }, layers: [{ units, bias: true }] }, memoryBudget: 2 ** 31 });
  });
}

function writeWeights(file, units, inputs) {
  const fd = openSync(file, 'w');
  writeSync(fd, '{"format": "nnspec-weights", "version": 1, "layers": [{"weights": [\n');
  for (let j = 0; j < units; j++) {
    writeSync(fd, `[${Array.from({ length: inputs }, (_, k) => (((j * inputs + k) % 9973) / 9973 - 0.5).toFixed(7)).join(', ')}]${j + 1 < units ? ',' : ''}\n`);
  }
  writeSync(fd, `], "biases": [${Array(units).fill(0).join(', ')}]}]}\n`);
  closeSync(fd);
}

function writeBomb() {
  const header = (dims) => {
    const b = Buffer.alloc(4 + 4 * dims.length);
    b.writeUInt32BE(0x800 | dims.length, 0);
    dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
    return b;
  };
  const write = (name, head, zeros) => {
    const member = gzipSync(Buffer.alloc(zeros), { level: 9 });
    writeFileSync(join(dir, name), Buffer.concat([gzipSync(head), ...Array(1200).fill(member)]));
  };
  write('images.gz', header([1_200_000, 28, 28]), 784_000);
  write('labels.gz', header([1_200_000]), 1000);
  writeFileSync(join(dir, 'bomb.nnspec'), 'input 784\ndense 10 sigmoid\ndata "images.gz" labels="labels.gz"\n');
  writeFileSync(join(dir, 'wide.nnspec'), 'input 2\ndense 1000000 relu\ndense 1 sigmoid\nbatch 256\ndata circle n=1000\n');
}

try {
  writeBomb();
  writeWeights(join(dir, 'w1m.json'), 1000, 1000);
  writeWeights(join(dir, 'w5m.json'), 2000, 2500);
  const rows = [
    ['idle, 600 ms', () => new Promise((r) => setTimeout(() => r('-'), 600))],
    ['data check: examples/digits-30.nnspec', () => dataCheck(join(root, 'examples', 'digits-30.nnspec'))],
    ['data check: 1 MB gzip of 1,200,000 images', () => dataCheck(join(dir, 'bomb.nnspec'))],
    ['data check: dense 1000000, batch 256', () => dataCheck(join(dir, 'wide.nnspec'))],
    ['Load Weights: 1,000 × 1,000 (11 MB)', () => loadWeights(join(dir, 'w1m.json'), 1000, 1000)],
    ['Load Weights: 2,000 × 2,500 (58 MB)', () => loadWeights(join(dir, 'w5m.json'), 2000, 2500)],
  ];
  console.log('| what | result | wall ms | host event-loop delay max ms | host thread busy ms |\n| --- | --- | ---: | ---: | ---: |');
  for (const [name, work] of rows) {
    const m = await measure(work);
    console.log(`| ${name} | ${m.result} | ${m.ms.toFixed(0)} | ${m.maxDelayMs.toFixed(1)} | ${m.busyMs.toFixed(1)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
