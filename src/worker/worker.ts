/**
 * The training worker (dist/worker.js), one per training session. The extension host sends
 * `ToWorker` messages and receives `FromWorker` messages (src/protocol.ts); the core runs here,
 * so the host's event loop never waits on training.
 *
 * Life: 'load' (parse, load data, create the trainer with the core's loadProject) → 'loaded'
 * or 'loadFailed'; then run/pause/step/stepEpoch/reset/settings/request, handled by
 * SessionRunner. A second 'load' replaces the session (restart with a new spec).
 */
import { parentPort } from 'node:worker_threads';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadProject, type LoadedProject } from '../core/project';
import { parameterCount } from '../core/spec';
import type { FromWorker, SessionInfo, ToWorker } from '../protocol';
import { SessionRunner, type Post } from './runner';
import { checkGradients } from './gradientCheck';
import { RunInsights } from './insights';
import { setTrainingThreads } from '../core/engine/threadPool';
import { decodeTrainingState } from '../core/engine/trainingState';

const port = parentPort;
if (!port) throw new Error('worker.js must run in a worker_threads Worker');

// Training at full speed takes a whole core; VS Code's own threads (the window, the extension
// host) must win it when they need it, or on a busy machine Pause and typing wait their turn.
// On Linux this lowers this thread alone (nice applies per thread); elsewhere it may not apply.
lowerPriority();

const post: Post = (message, transfer) => port.postMessage(message, transfer);
let runner: SessionRunner | undefined;

port.on('message', (message: ToWorker) => {
  try {
    // The number of training threads is this worker's (threadPool.ts): set before the trainer computes.
    if ((message.type === 'load' || message.type === 'settings') && message.settings.threads !== undefined) setTrainingThreads(message.settings.threads);
    if (message.type === 'load') {
      runner?.dispose();
      runner = undefined;
      const project = loadProject(message.specText, message.specPath, {
        assetsDir: message.assetsDir,
        maxParameters: message.settings.maxParameters,
        memoryBudgetMB: message.settings.memoryBudgetMB,
      });
      if (!project.ok) {
        post({ type: 'loadFailed', message: project.message, diagnostics: project.diagnostics }, []);
        return;
      }
      if (message.weights) project.trainer.setWeights(message.weights);
      let resumed = false;
      if (message.training) {
        // Carry on exactly where the checkpoint was: the same shuffle, optimizer state and stop rule.
        try {
          project.trainer.setTrainingState(decodeTrainingState(message.training));
          resumed = true;
        } catch (error) {
          post({ type: 'notice', message: `${error instanceof Error ? error.message : String(error)}; training goes on from the checkpoint's weights with a fresh optimizer state` }, []);
        }
      }
      if (message.resume && !resumed) {
        // Without the training state (an older checkpoint): carry on counting where it was. A run
        // saved mid-epoch begins that epoch afresh (a new shuffle); steps go on counting.
        project.trainer.resumeAt(message.resume.step, message.resume.epoch);
      }
      const info = sessionInfo(project, message.specPath);
      runner = new SessionRunner(project.trainer, info, message.settings, post, {
        checkGradients,
        classNames: project.dataset.classNames,
        insights: new RunInsights(project.trainer, project.parse, project.dataset.classNames, undefined, info),
      });
      post({ type: 'loaded', info, diagnostics: project.diagnostics }, []);
      // Resumed after a reload: say at once where it is (paused at the checkpoint's step).
      if (message.resume) runner.announce();
      return;
    }
    if (!runner) {
      if (message.type === 'request') {
        post({ type: 'responseError', id: message.id, message: 'no network is loaded' }, []);
      }
      return;
    }
    runner.handle(message);
  } catch (error) {
    // A sentence for the person, never a stack trace (the host logs it as it is).
    const text = error instanceof Error ? error.message : String(error);
    post({ type: 'fatal', message: `the training worker failed: ${text.split('\n')[0]}` } satisfies FromWorker, []);
  }
});

/** The most training points sent for the decision-boundary plot. */
const MAX_PLANE_POINTS = 2000;

function sessionInfo(project: LoadedProject, specPath: string): SessionInfo {
  const { spec, prepared, trainer, dataset } = project;
  const info: SessionInfo = {
    specPath,
    name: spec.name ?? path.basename(specPath, path.extname(specPath)),
    inputSize: spec.input.size,
    layers: trainer.layers.map((l) => ({ index: l.index, inputs: l.inputs, units: l.units, activation: l.activation, bias: l.bias })),
    loss: spec.loss,
    task: trainer.task,
    epochs: trainer.epochs,
    stepsPerEpoch: trainer.stepsPerEpoch,
    batchSize: trainer.batchSize,
    trainCount: trainer.trainCount,
    validationCount: prepared.validation?.count ?? 0,
    dataName: dataset.name,
    parameterCount: parameterCount(spec),
    seed: spec.seed,
  };
  if (spec.features) info.features = spec.features;
  const shape = spec.input.shape ?? dataset.imageShape;
  if (shape) info.imageShape = shape;
  if (dataset.inputSize === 2 && dataset.count > 0) {
    // Raw (unnormalised) inputs: predict() applies the features and normalises, so the plane is in the user's units.
    const stride = Math.max(1, Math.ceil(dataset.count / MAX_PLANE_POINTS));
    const count = Math.ceil(dataset.count / stride);
    const points = new Float32Array(count * 2);
    const targets = new Float32Array(count * dataset.outputSize);
    let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
    for (let i = 0, o = 0; i < dataset.count; i += stride, o++) {
      const x = dataset.inputs[i * 2];
      const y = dataset.inputs[i * 2 + 1];
      points[o * 2] = x;
      points[o * 2 + 1] = y;
      targets.set(dataset.targets.subarray(i * dataset.outputSize, (i + 1) * dataset.outputSize), o * dataset.outputSize);
      xMin = Math.min(xMin, x); xMax = Math.max(xMax, x);
      yMin = Math.min(yMin, y); yMax = Math.max(yMax, y);
    }
    const padX = (xMax - xMin || 1) * 0.1;
    const padY = (yMax - yMin || 1) * 0.1;
    info.plane = { xMin: xMin - padX, xMax: xMax + padX, yMin: yMin - padY, yMax: yMax + padY, points, targets };
  }
  return info;
}

/** The training thread below normal priority (nice 10), where the system lets it. */
function lowerPriority(): void {
  try {
    if (process.platform === 'linux') os.setPriority(0, os.constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    // Not allowed here (a container's policy): train at the normal priority.
  }
}
