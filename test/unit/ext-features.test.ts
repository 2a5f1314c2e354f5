/**
 * The extension's language features as pure functions, against the core: completion at
 * positions, word hovers, the outline, quick fixes, the code lens and status bar texts, the
 * session state the host keeps, Predict's input check — and the gradient hover, whose numbers
 * must equal the core Trainer's after a step.
 */
import { copyLayer } from '../../src/worker/runner';
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { parseSpec, vocabulary } from '../../src/core/lang/index';
import { loadProject } from '../../src/core/project';
import type { Trainer } from '../../src/core/engine/types';
import type { EpochMetrics } from '../../src/core/engine/types';
import type { FromWorker, LayerSnapshot, Snapshot } from '../../src/protocol';
import { completionsAt } from '../../src/extension/features/completion';
import { wordHoverAt } from '../../src/extension/features/wordHover';
import { documentSymbols } from '../../src/extension/features/symbols';
import { matchDiagnostics, quickFixes, diagnosticMessage } from '../../src/extension/features/quickFixes';
import { codeLensItems } from '../../src/extension/features/codeLens';
import { chainRule, gradientNorms, hoverForLayer, hoverForLoss, largestTerm, layerGradientStats, lossTrend, subscript, superscript } from '../../src/extension/features/gradientHover';
import { parseInputVector } from '../../src/extension/features/inputs';
import { SessionState, statusBarText } from '../../src/extension/sessionState';

const root = path.resolve(__dirname, '../..');

const XOR = `network xor
input 2
dense 3 tanh
dense 1 sigmoid
loss mse
optimizer sgd rate=0.5
batch 2
epochs 20
seed 5
data xor
`;

const labels = (text: string, line: number, character: number): string[] =>
  completionsAt(text, { line, character }).map((c) => c.label);

describe('completion', () => {
  it('offers every keyword but `end` at the start of a line, with its syntax and docs, then the statement snippets', () => {
    const items = completionsAt('', { line: 0, character: 0 });
    expect(items.map((i) => i.label)).toEqual([
      'network', 'input', 'dense', 'loss', 'optimizer', 'batch', 'epochs', 'l2', 'l1', 'stop', 'init', 'seed', 'data', 'validation', 'normalize', 'features',
      'new network', 'data inline', 'data csv',
    ]);
    expect(items.filter((i) => i.kind === 'snippet').every((i) => i.snippet && i.insertText)).toBe(true);
    const dense = items.find((i) => i.label === 'dense')!;
    expect(dense.detail).toBe('dense UNITS ACTIVATION [bias=true|false] [init=SCHEME] [dropout=p]');
    expect(dense.documentation).toContain('A fully connected layer');
  });

  it('offers activations after `dense N`, with formula and derivative, replacing the partial word', () => {
    expect(labels('input 2\ndense 4 ', 1, 8)).toEqual(['identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'softmax']);
    const items = completionsAt('dense 4 ta', { line: 0, character: 10 });
    const tanh = items.find((i) => i.label === 'tanh')!;
    expect(tanh.range).toEqual({ start: { line: 0, character: 8 }, end: { line: 0, character: 10 } });
    expect(tanh.documentation).toContain("tanh'(z) = 1 − tanh<sup>2</sup>(z)");
    // Right after the keyword the units come first: nothing to offer.
    expect(labels('dense ', 0, 6)).toEqual([]);
  });

  it('offers the options of a dense line that are not written yet, and their values', () => {
    expect(labels('dense 4 tanh ', 0, 13)).toEqual(['bias=', 'init=', 'dropout=']);
    expect(labels('dense 4 tanh bias=false ', 0, 24)).toEqual(['init=', 'dropout=']);
    expect(labels('dense 4 tanh bias=', 0, 18)).toEqual(['true', 'false']);
    const inits = completionsAt('dense 4 tanh init=', { line: 0, character: 18 });
    expect(inits.map((i) => i.label)).toEqual(['uniform', 'normal', 'xavier', 'he', 'const:V']);
    expect(inits.find((i) => i.label === 'const:V')).toMatchObject({ snippet: true, insertText: 'const:${1:0.5}' });
  });

  it('offers costs after `loss`, with C and ∇ₐC', () => {
    const items = completionsAt('loss ', { line: 0, character: 5 });
    expect(items.map((i) => i.label)).toEqual(['mse', 'bce', 'cce']);
    expect(items[0].documentation).toContain('∇<sub>a</sub>C = a<sup>L</sup> − y');
    expect(labels('loss mse ', 0, 9)).toEqual([]);
  });

  it('offers data set names, inline and a CSV file after `data`, then the options that set takes', () => {
    const sets = labels('data ', 0, 5);
    expect(sets.slice(0, 9)).toEqual(['xor', 'and', 'or', 'circle', 'spiral', 'moons', 'gaussians', 'sine', 'digits']);
    expect(sets.slice(9)).toEqual(['inline', '"file.csv"']);
    expect(labels('data spiral ', 0, 12)).toEqual(['n=', 'noise=']);
    expect(labels('data spiral n=200 ', 0, 18)).toEqual(['noise=']);
    expect(labels('data xor ', 0, 9)).toEqual([]);
    expect(labels('data "iris.csv" ', 0, 16)).toEqual(['label=', 'header=', 'labels=']);
    expect(labels('data "iris.csv" label=', 0, 22)).toEqual(['last', 'first']);
  });

  it('offers optimizer options, init schemes, normalisations and `batch full`', () => {
    expect(labels('optimizer ', 0, 10)).toEqual(['sgd', 'adam', 'rmsprop', 'adagrad']);
    expect(labels('optimizer sgd rate=0.5 ', 0, 23)).toEqual(['decay=', 'momentum=', 'nesterov=']);
    expect(labels('optimizer adam ', 0, 15)).toEqual(['rate=', 'decay=', 'beta1=', 'beta2=', 'epsilon=']);
    expect(labels('init ', 0, 5)).toEqual(['uniform', 'normal', 'xavier', 'he', 'const']);
    expect(labels('normalize ', 0, 10)).toEqual(['none', 'minmax', 'zscore']);
    expect(labels('batch ', 0, 6)).toEqual(['full']);
  });

  it('offers snippets only where a statement can start, and never the same entry twice', () => {
    const snippetsAt = (text: string, line: number, character: number) => completionsAt(text, { line, character }).filter((i) => i.kind === 'snippet').map((i) => i.label);
    expect(snippetsAt('input 2\nde', 1, 2)).toEqual(['new network', 'data inline', 'data csv']);
    for (const [text, line, character] of [
      ['dense 4 ', 0, 8],
      ['dense 4 tanh ', 0, 13],
      ['data ', 0, 5],
      ['loss ', 0, 5],
      ['optimizer sgd ', 0, 14],
      ['data inline\n  0 0 -> 0\n', 2, 0],
    ] as const) {
      expect(snippetsAt(text, line, character), JSON.stringify(text)).toEqual([]);
    }
    // No two entries of one list share a label (network / new network, csv / data csv were pairs).
    const spec = readFileSync(path.join(root, 'examples', 'xor.nnspec'), 'utf8');
    const lines = spec.split('\n');
    for (let line = 0; line < lines.length; line++) {
      for (let character = 0; character <= lines[line].length; character++) {
        const list = completionsAt(spec, { line, character }).map((i) => i.label);
        expect(new Set(list).size, `${line}:${character} ${list.join(', ')}`).toBe(list.length);
      }
    }
  });

  it('leaves no place to word-based suggestions: they are off for .nnspec, and no static snippets file offers words everywhere', () => {
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(manifest.contributes.configurationDefaults['[nnspec]']).toMatchObject({ 'editor.wordBasedSuggestions': 'off', 'editor.suggest.showWords': false });
    expect(manifest.contributes.snippets).toBeUndefined();
    // After an option's `=` with no value to suggest (a number), the list is empty, not padded with words.
    expect(labels('data spiral noise=', 0, 18)).toEqual([]);
  });

  it('offers only `end` inside an inline data block, nothing in comments or strings', () => {
    const text = 'data inline\n  0 0 -> 0\n\nend\n';
    expect(labels(text, 2, 0)).toEqual(['end']);
    expect(labels(text, 1, 6)).toEqual([]);
    expect(labels(text, 4, 0)).toContain('dense');
    expect(labels('dense 4 # tanh ', 0, 15)).toEqual([]);
    expect(labels('data "iris', 0, 10)).toEqual([]);
    expect(labels('frobnicate ', 0, 11)).toEqual([]);
  });
});

describe('word hovers', () => {
  const at = (text: string, line: number, character: number) => wordHoverAt(text, { line, character });

  it('documents an activation with its formula and derivative', () => {
    const sigmoid = at(XOR, 3, 10)!;
    expect(sigmoid.markdown).toContain('σ(z) = 1/(1+e<sup>−z</sup>)');
    expect(sigmoid.markdown).toContain("σ'(z) = σ(z)(1−σ(z))");
    expect(sigmoid.range).toEqual({ start: { line: 3, character: 8 }, end: { line: 3, character: 15 } });
    expect(sigmoid.keyword).toBe('dense');
    expect(at(XOR, 2, 9)!.markdown).toContain("tanh'(z) = 1 − tanh<sup>2</sup>(z)");
    expect(at('dense 1 linear', 0, 10)!.markdown).toContain('**identity**');
  });

  it('documents a cost with C and ∇ₐC, a keyword with its syntax, an option, an init value, a data set', () => {
    const mse = at(XOR, 4, 6)!.markdown;
    expect(mse).toContain('C = (1/n) Σ<sub>x</sub> ½‖y(x) − a<sup>L</sup>(x)‖<sup>2</sup>');
    expect(mse).toContain('∇<sub>a</sub>C = a<sup>L</sup> − y');
    expect(at(XOR, 2, 1)!.markdown).toContain('`dense UNITS ACTIVATION [bias=true|false] [init=SCHEME] [dropout=p]`');
    expect(at(XOR, 5, 16)!.markdown).toContain('The learning rate η.');
    expect(at('dense 4 relu init=he', 0, 19)!.markdown).toContain(vocabulary.inits.find((i) => i.name === 'he')!.doc);
    expect(at(XOR, 9, 6)!.markdown).toContain('The XOR truth table');
  });

  it('has nothing for numbers, unknown words, blank space and inline rows', () => {
    expect(at(XOR, 2, 6)).toBeUndefined();
    expect(at('dense 4 sigmod', 0, 10)).toBeUndefined();
    expect(at('', 0, 0)).toBeUndefined();
    expect(at('data inline\n  0 0 -> 0\nend', 1, 3)).toBeUndefined();
    expect(at('data inline\n  0 0 -> 0\nend', 2, 1)!.markdown).toContain('Closes the rows');
  });
});

describe('outline', () => {
  it('lists the network, input, numbered layers, loss, data and the settings', () => {
    const symbols = documentSymbols(parseSpec(XOR));
    expect(symbols.map((s) => [s.name, s.kind])).toEqual([
      ['xor', 'module'],
      ['input 2', 'field'],
      ['layer 1: dense 3 tanh', 'class'],
      ['layer 2: dense 1 sigmoid', 'class'],
      ['loss mse', 'function'],
      ['optimizer sgd rate=0.5', 'property'],
      ['batch 2', 'property'],
      ['epochs 20', 'property'],
      ['seed 5', 'property'],
      ['data xor', 'file'],
    ]);
    expect(symbols[2].selectionRange).toEqual({ start: { line: 2, character: 0 }, end: { line: 2, character: 5 } });
  });

  it('spans an inline data block down to its end and counts its rows', () => {
    const text = 'input 2\ndense 1 sigmoid\ndata inline\n  0 0 -> 0\n  1 1 -> 1\nend\n';
    const data = documentSymbols(parseSpec(text)).find((s) => s.kind === 'file')!;
    expect(data.detail).toBe('2 rows');
    expect(data.range.start.line).toBe(2);
    expect(data.range.end.line).toBe(5);
  });
});

describe('quick fixes', () => {
  const broken = XOR.replace('dense 1 sigmoid', 'dense 1 sigmod').replace('loss mse', 'loss binary_crossentropy');

  it('turns the parser\'s fixes into preferred code actions that repair the spec', () => {
    const diagnostics = parseSpec(broken).diagnostics;
    const activation = diagnostics.find((d) => d.code === 'unknown-activation')!;
    const fixes = quickFixes(activation);
    expect(fixes.map((f) => [f.title, f.newText, f.isPreferred])).toEqual([["Change to 'sigmoid'", 'sigmoid', true]]);
    // Applying every first fix leaves no error.
    let text = broken;
    for (const d of [...diagnostics].reverse()) {
      const fix = quickFixes(d)[0];
      if (!fix) continue;
      const lines = text.split('\n');
      const line = lines[fix.range.start.line];
      lines[fix.range.start.line] = line.slice(0, fix.range.start.character) + fix.newText + line.slice(fix.range.end.character);
      text = lines.join('\n');
    }
    expect(parseSpec(text).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(text).toContain('loss bce');
  });

  it('finds the core diagnostic behind an editor diagnostic by code, message and range', () => {
    const diagnostics = parseSpec(broken).diagnostics;
    const activation = diagnostics.find((d) => d.code === 'unknown-activation')!;
    const shown = { code: 'unknown-activation', message: diagnosticMessage(activation), range: activation.range };
    expect(diagnosticMessage(activation)).toBe("unknown activation 'sigmod' — did you mean 'sigmoid'?");
    expect(matchDiagnostics(diagnostics, shown)).toEqual([activation]);
    expect(matchDiagnostics(diagnostics, { ...shown, range: { ...activation.range, start: { line: 0, character: 0 } } })).toEqual([]);
  });
});

describe('code lens and status bar', () => {
  const session = { status: 'paused' as const, epoch: 2, stepInEpoch: 3, epochs: 30, loss: 0.123456, stale: false };

  it('shows Train · Step · Step epoch · Reset without a session', () => {
    expect(codeLensItems(undefined).map((i) => [i.title, i.command])).toEqual([
      ['$(play) Train', 'nnspec.train'],
      ['Step', 'nnspec.step'],
      ['Step epoch', 'nnspec.stepEpoch'],
      ['Reset', 'nnspec.reset'],
    ]);
  });

  it('adds the epoch and loss, Pause while running, and a restart lens when stale', () => {
    expect(codeLensItems(session).map((i) => i.title)).toEqual(['$(play) Train', 'Step', 'Step epoch', 'Reset', 'epoch 3/30 · loss 0.1235 · paused']);
    expect(codeLensItems({ ...session, status: 'running' })[0]).toMatchObject({ title: '$(debug-pause) Pause', command: 'nnspec.pause' });
    expect(codeLensItems({ ...session, status: 'running' })[4].title).toBe('epoch 3/30 · loss 0.1235');
    expect(codeLensItems({ ...session, stale: true }).slice(-1)[0]).toMatchObject({ title: 'stale — restart', command: 'nnspec.restart' });
    expect(codeLensItems({ ...session, status: 'error', message: 'iris.csv:3: not a number' })[4].title).toBe('error: iris.csv:3: not a number');
    expect(codeLensItems({ ...session, status: 'done', epoch: 30, stepInEpoch: 0 })[4].title).toBe('epoch 30/30 · loss 0.1235 · done');
  });

  it('writes the status bar text with a spinner, epoch, loss and samples/s while running', () => {
    const latest = { epoch: 2, stepInEpoch: 1, loss: 0.123, samplesPerSecond: 12_345 } as Snapshot;
    const info = { epochs: 30 } as SessionState['info'];
    expect(statusBarText({ status: 'running', info, latest, message: undefined })).toBe('$(sync~spin) NNSpec epoch 3/30 · loss 0.123 · 12.3k samples/s');
    expect(statusBarText({ status: 'paused', info, latest, message: undefined }, true)).toBe('$(debug-pause) NNSpec epoch 3/30 · loss 0.123 · stale');
    expect(statusBarText({ status: 'loading', info: undefined, latest: undefined, message: undefined })).toBe('$(loading~spin) NNSpec loading…');
  });
});

describe('session state on the host', () => {
  const info = { epochs: 2 } as Extract<FromWorker, { type: 'loaded' }>['info'];
  const snapshot = (over: Partial<Snapshot>): FromWorker => ({
    type: 'snapshot',
    snapshot: { status: 'running', epoch: 0, step: 0, stepInEpoch: 0, rate: 0.1, loss: null, newStepLosses: new Float32Array(0), newEpochs: [], samplesPerSecond: 0, ...over },
  });
  const metrics = (epoch: number): EpochMetrics => ({ epoch, train: { loss: 1 / (epoch + 1), count: 4 } });

  it('keeps every step loss once, each epoch once, and the latest layers with their step', () => {
    const state = new SessionState();
    state.apply({ type: 'loaded', info, diagnostics: [] });
    expect(state.status).toBe('ready');
    state.apply(snapshot({ step: 2, newStepLosses: Float32Array.of(0.5, 0.4), newEpochs: [metrics(0)] }));
    state.apply(snapshot({ step: 2, newStepLosses: new Float32Array(0), newEpochs: [metrics(0)] }));
    const layers = [{ weights: Float32Array.of(1) } as LayerSnapshot];
    state.apply(snapshot({ step: 3, newStepLosses: Float32Array.of(0.3), layers }));
    expect(state.stepLosses.toArray()).toEqual(Float32Array.of(0.5, 0.4, 0.3));
    expect(state.epochs.map((e) => e.epoch)).toEqual([0]);
    expect(state.currentLayers).toBe(layers);
    state.apply(snapshot({ step: 4, newStepLosses: Float32Array.of(0.2) }));
    expect(state.currentLayers).toBeUndefined();
    expect(state.layers).toBe(layers);
    expect(state.layersStep).toBe(3);
  });

  it('starts the history again after a reset, and records crashes and divergence', () => {
    const state = new SessionState();
    state.apply({ type: 'loaded', info, diagnostics: [] });
    state.apply(snapshot({ step: 2, newStepLosses: Float32Array.of(0.5, 0.4), newEpochs: [metrics(0)] }));
    state.apply(snapshot({ status: 'ready', step: 0 }));
    expect(state.stepLosses.length).toBe(0);
    expect(state.epochs).toEqual([]);
    state.apply({ type: 'finished', status: 'diverged', message: 'the loss became NaN at step 3' });
    expect([state.status, state.message]).toEqual(['diverged', 'the loss became NaN at step 3']);
    state.crashed('the training worker exited with code 1');
    expect(state.status).toBe('error');
  });
});

describe('Predict input', () => {
  it('reads numbers separated by spaces or commas, with or without brackets', () => {
    expect(parseInputVector('1, 0', 2)).toEqual({ values: [1, 0] });
    expect(parseInputVector(' [0.5 -2e-1] ', 2)).toEqual({ values: [0.5, -0.2] });
  });

  it('says which value is not a number, or how many are wanted', () => {
    expect(parseInputVector('1 x', 2)).toEqual({ error: "value 2 ('x') is not a number" });
    expect(parseInputVector('1', 2)).toEqual({ error: 'the network takes 2 inputs; you gave 1' });
    expect(parseInputVector('', 1)).toEqual({ error: 'the network takes 1 input; you gave 0' });
  });
});

describe('the gradient hover equals the core trainer', () => {
  function stepped(): Trainer {
    const project = loadProject(XOR, path.join(root, 'examples', 'hover.nnspec'), { assetsDir: path.join(root, 'media') });
    if (!project.ok) throw new Error(project.message);
    project.trainer.stepOnce();
    project.trainer.stepOnce();
    return project.trainer;
  }
  const copy = (layer: Trainer['layers'][number]): LayerSnapshot => copyLayer(layer);
  /** A shown number back to a number (the formatter writes a real minus sign, U+2212). */
  const parse = (shown: string): number => Number(shown.replace('\u2212', '-'));
  const num = (text: string, label: string): number => parse(new RegExp(`${label.replace(/[|()]/g, '\\$&')}(\\S+)`).exec(text)![1]);
  const close = (shown: number, exact: number): void => expect(Math.abs(shown - exact)).toBeLessThanOrEqual(Math.abs(exact) * 6e-4 + 1e-12);

  it('shows shape, mean and max |∂C/∂w| with j,k, the norms, the top table and the chain rule', () => {
    const trainer = stepped();
    const view = trainer.layers[0];
    const trace = trainer.trace();
    const text = hoverForLayer({
      layer: { index: 1, inputs: view.inputs, units: view.units, activation: view.activation, bias: view.bias },
      snapshot: copy(view),
      trace: { sampleIndex: trace.sampleIndex, activations: trace.activations, deltas: trace.deltas },
      step: trainer.step,
      panelCommand: 'command:nnspec.showPanel?x',
    });
    const grads = Array.from(view.gradWeights);
    const abs = grads.map(Math.abs);
    const max = Math.max(...abs);
    const at = abs.indexOf(max);
    const [j, k] = [Math.floor(at / view.inputs), at % view.inputs];
    expect(text).toContain('**Layer 1** (`dense 3 tanh`) after step 2: w¹ is 3 × 2 (j × k, from 0: 3 neurons, 2 inputs from layer 0)');
    close(num(text, 'mean |∂C/∂w| = '), abs.reduce((a, b) => a + b) / abs.length);
    close(num(text, 'max |∂C/∂w| = '), max);
    expect(text).toContain(`at j=${j}, k=${k}`);
    close(num(text, '‖∂C/∂w‖ = '), Math.hypot(...grads));
    close(num(text, '‖Δw‖ of the last step = '), Math.hypot(...Array.from(view.lastDeltaWeights)));
    // The table: 5 rows, largest |∂C/∂w| first, each row the trainer's w, ∂C/∂w and Δw.
    const rows = [...text.matchAll(/^\| (\d+) \| (\d+) \| (\S+) \| (\S+) \| (\S+) \|$/gm)];
    expect(rows).toHaveLength(5);
    const order = [...abs.keys()].sort((a, b) => abs[b] - abs[a]).slice(0, 5);
    rows.forEach((row, r) => {
      const i = order[r];
      expect([Number(row[1]), Number(row[2])]).toEqual([Math.floor(i / view.inputs), i % view.inputs]);
      close(parse(row[3]), view.weights[i]);
      close(parse(row[4]), view.gradWeights[i]);
      close(parse(row[5]), view.lastDeltaWeights[i]);
    });
    // The chain rule: the traced sample's largest |a_k δ_j| over every j, k, with those indices written out.
    let best = { j: 0, k: 0, p: -1 };
    for (let jj = 0; jj < view.units; jj++) {
      for (let kk = 0; kk < view.inputs; kk++) {
        const p = Math.abs(trace.activations[0][kk] * trace.deltas[0][jj]);
        if (p > best.p) best = { j: jj, k: kk, p };
      }
    }
    const chain = new RegExp(`∂C/∂w¹${subscript(best.j)},${subscript(best.k)} = a⁰${subscript(best.k)} · δ¹${subscript(best.j)} = (\\S+) · (\\S+) = (\\S+)$`, 'm').exec(text);
    expect(chain, text).not.toBeNull();
    expect(text).toContain(`training sample #${trace.sampleIndex} alone`);
    close(parse(chain![1]), trace.activations[0][best.k]);
    close(parse(chain![2]), trace.deltas[0][best.j]);
    close(parse(chain![3]), trace.activations[0][best.k] * trace.deltas[0][best.j]);
    // Above the fold: right after the layer's line, before the statistics and the table.
    expect(text.indexOf('Chain rule')).toBeLessThan(text.indexOf('mean |∂C/∂w|'));
    expect(text.indexOf('Chain rule')).toBeLessThan(text.indexOf('| j | k |'));
    expect(text).toContain('[Show layer 1 in the training panel](command:nnspec.showPanel?x)');
  });

  it('ranks the top gradients like a full sort, and gives each layer\'s norm', () => {
    const n = 7 * 9;
    const gradWeights = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
    const snapshot = { gradWeights, weights: new Float32Array(n), lastDeltaWeights: new Float32Array(n) } as LayerSnapshot;
    const stats = layerGradientStats(snapshot, 7, 9, 6);
    const expected = [...gradWeights.keys()].sort((a, b) => Math.abs(gradWeights[b]) - Math.abs(gradWeights[a])).slice(0, 6);
    expect(stats.top.map((e) => e.j * 9 + e.k)).toEqual(expected);
    expect(gradientNorms([snapshot])[0]).toBeCloseTo(Math.hypot(...Array.from(gradWeights)), 5);
  });

  it('picks the largest |a_k δ_j| as the chain rule\'s term, writes indices as Unicode scripts and counts in words', () => {
    // a⁰ = [0, 0.5, −2], δ¹ = [0.25, −3]: the largest |a_k δ_j| is |−2 · −3| = 6 at j = 1, k = 2 (a zero activation never wins).
    const trace = { sampleIndex: 4, activations: [Float32Array.of(0, 0.5, -2)], deltas: [Float32Array.of(0.25, -3)] };
    expect(largestTerm(trace, 1)).toEqual({ sampleIndex: 4, j: 1, k: 2, a: -2, delta: -3, product: 6 });
    expect(largestTerm(trace, 2)).toBeUndefined();
    expect(superscript(12)).toBe('¹²');
    expect(subscript('3,10')).toBe('₃,₁₀');
    const one = { index: 2, inputs: 1, units: 1, activation: 'sigmoid' as const, bias: true };
    const snapshot = { weights: Float32Array.of(0.5), gradWeights: Float32Array.of(0.25), lastDeltaWeights: Float32Array.of(-0.125), biases: Float32Array.of(0) } as LayerSnapshot;
    const text = hoverForLayer({ layer: one, snapshot, step: 1 });
    expect(text).toContain('w² is 1 × 1 (j × k, from 0: 1 neuron, 1 input from layer 1)');
    expect(text).not.toMatch(/<su[bp]>/);
  });

  it('gives no chain rule for indices the trace does not have', () => {
    const trace = { sampleIndex: 0, activations: [Float32Array.of(1, 2)], deltas: [Float32Array.of(3)] };
    expect(chainRule(trace, 1, 0, 1)).toEqual({ sampleIndex: 0, a: 2, delta: 3, product: 6 });
    expect(chainRule(trace, 1, 1, 0)).toBeUndefined();
    expect(chainRule(trace, 2, 0, 0)).toBeUndefined();
  });
});

describe('the loss hover', () => {
  const epochs: EpochMetrics[] = [0, 1, 2, 3, 4, 5].map((e) => ({ epoch: e, train: { loss: 1 - e * 0.1, accuracy: 0.5 + e * 0.1, count: 4 } }));

  it('shows the batch loss, the last epochs with accuracy, and the trend', () => {
    const text = hoverForLoss({ loss: 'mse', latestLoss: 0.25, step: 12, epochs, totalEpochs: 20 });
    expect(text).toContain('**Loss (mse)**: 0.25 on the batch of step 12');
    const rows = [...text.matchAll(/^\| (\d+)\/20 \| (\S+) \| (\S+) \|$/gm)].map((m) => [m[1], m[2], m[3]]);
    expect(rows).toEqual([
      ['2', '0.9', '60.0%'],
      ['3', '0.8', '70.0%'],
      ['4', '0.7', '80.0%'],
      ['5', '0.6', '90.0%'],
      ['6', '0.5', '100.0%'],
    ]);
    expect(text).toContain('Trend: falling, −44.4% over the last 5 epochs');
  });

  it('says when nothing is known yet', () => {
    expect(hoverForLoss({ loss: 'bce', latestLoss: null, step: 0, epochs: [], totalEpochs: 5 })).toBe('**bce**: no step taken yet.');
    expect(hoverForLoss({ loss: 'bce', latestLoss: 0.7, step: 1, epochs: [], totalEpochs: 5 })).toContain('No epoch has ended yet.');
    expect(lossTrend([epochs[0], { ...epochs[1], train: { loss: 1.2, count: 4 } }])).toBe('Trend: rising, +20.0% over the last 2 epochs');
  });
});
