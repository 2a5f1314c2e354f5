/**
 * The in-host suite: runs inside a real VS Code extension host (the `run()` contract of
 * @vscode/test-electron; here also code-server through the workbench payload, see
 * test/e2e/vscode.test.ts) and uses the `vscode` API for real: opens the examples, reads
 * `vscode.languages.getDiagnostics`, runs the commands with `executeCommand` and calls
 * `vscode.executeHoverProvider` on a `dense` line after a Step, comparing the numbers with the
 * core's Trainer for the same spec and weights.
 *
 * Result: `{passed, failed, failures: [{name, message}]}` written to the file named by the
 * environment variable NNSPEC_TEST_RESULT (when set); run() throws when any test failed.
 * A tiny runner, no mocha: tests run in order and share the session they build up.
 */
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatLoss } from '../../src/core/format';
import { loadProject } from '../../src/core/project';
import type { Trainer } from '../../src/core/engine/types';
import type { NNSpecApi } from '../../src/extension/extension';
import type { StepSummary } from '../../src/extension/commands';
import { TrainingSession } from '../../src/extension/sessions';

const EXTENSION_ID = 'nnspec.nnspec';

type Test = { name: string; fn: () => Promise<void> };
const tests: Test[] = [];
function test(name: string, fn: () => Promise<void>): void {
  tests.push({ name, fn });
}

// ---------------------------------------------------------------------------------------------
// Helpers

let api: NNSpecApi;
let extension: vscode.Extension<NNSpecApi>;
let xorUri: vscode.Uri;
let scratch: string;

async function waitFor<T>(what: string, read: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${describe(value)}`);
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (v instanceof vscode.Uri ? v.toString() : v))?.slice(0, 500) ?? String(value);
  } catch {
    return String(value);
  }
}

function examplesDir(): string {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme === 'file' && fs.existsSync(path.join(folder.uri.fsPath, 'xor.nnspec'))) return folder.uri.fsPath;
    if (folder.uri.scheme === 'file' && fs.existsSync(path.join(folder.uri.fsPath, 'examples', 'xor.nnspec'))) return path.join(folder.uri.fsPath, 'examples');
  }
  return path.join(extension.extensionUri.fsPath, 'examples');
}

/** A spec written to the scratch folder and opened in an editor. */
async function openFixture(name: string, text: string): Promise<vscode.TextDocument> {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, text);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(doc);
  return doc;
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n\n');
}

/** The number after `label` in `text` (hover numbers use '−∞'/'NaN' only when broken). */
function numberAfter(text: string, label: string): number {
  const at = text.indexOf(label);
  assert.ok(at >= 0, `'${label}' is not in the hover:\n${text}`);
  const match = /^\s*(-?[\d.]+(?:e[-+]?\d+)?)/.exec(text.slice(at + label.length));
  assert.ok(match, `no number after '${label}' in the hover:\n${text}`);
  return Number(match[1]);
}

/** Equal to the 4 significant digits the hover shows. */
function assertShown(shown: number, exact: number, what: string): void {
  const tolerance = Math.abs(exact) * 6e-4 + 1e-12;
  assert.ok(Math.abs(shown - exact) <= tolerance, `${what}: the hover shows ${shown}, the core computes ${exact}`);
}

function session() {
  const s = api.sessions.get(xorUri);
  assert.ok(s, 'xor.nnspec has no training session');
  return s;
}

function coreTrainer(text: string, specPath: string): Trainer {
  const project = loadProject(text, specPath, { assetsDir: path.join(extension.extensionUri.fsPath, 'media') });
  assert.ok(project.ok, `the core cannot load the spec: ${project.ok ? '' : project.message}`);
  return project.trainer;
}

/**
 * A weights file as the trainer's getWeights() gives it: the file holds each float32 weight in
 * its shortest decimal that reads back to the same float32, getWeights() the float32 as a double.
 */
function readWeights(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'), (_key, value) => (typeof value === 'number' ? Math.fround(value) : value));
}

function lineOf(doc: vscode.TextDocument, prefix: string): number {
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.startsWith(prefix)) return i;
  throw new Error(`no line starting with '${prefix}' in ${doc.uri.fsPath}`);
}

// ---------------------------------------------------------------------------------------------
// The tests, in order

test('opening an example activates the extension and gives the nnspec language', async () => {
  xorUri = vscode.Uri.file(path.join(examplesDir(), 'xor.nnspec'));
  const doc = await vscode.workspace.openTextDocument(xorUri);
  await vscode.window.showTextDocument(doc);
  assert.equal(doc.languageId, 'nnspec');
  await waitFor('the extension to activate', () => extension.isActive, (active) => active);
  api = extension.exports;
  assert.ok(api?.sessions, 'activate() returns the sessions');
  assert.deepEqual(vscode.languages.getDiagnostics(xorUri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error), []);
});

test('a broken spec shows its errors in the Problems panel with exact ranges', async () => {
  const doc = await openFixture(
    'broken.nnspec',
    ['network fixture', 'input 2', 'dense 4 sigmod', 'dense 1 sigmoid bias=maybe', 'loss crossentropy', 'epochs ten', 'data xor', ''].join('\n'),
  );
  const expected = [
    { message: "unknown activation 'sigmod' — did you mean 'sigmoid'?", range: [2, 8, 2, 14], severity: vscode.DiagnosticSeverity.Error, code: 'unknown-activation' },
    { message: "bias= must be true or false, got 'maybe' — write bias=true or bias=false", range: [3, 21, 3, 26], severity: vscode.DiagnosticSeverity.Error, code: 'bad-boolean' },
    { message: "unknown loss 'crossentropy' — did you mean 'cce'?", range: [4, 5, 4, 17], severity: vscode.DiagnosticSeverity.Error, code: 'unknown-loss' },
    { message: "expected a number for epochs, got 'ten' — e.g. epochs 100", range: [5, 7, 5, 10], severity: vscode.DiagnosticSeverity.Error, code: 'not-a-number' },
  ];
  const diagnostics = await waitFor('the diagnostics of broken.nnspec', () => vscode.languages.getDiagnostics(doc.uri), (d) => d.length >= expected.length);
  const actual = diagnostics.map((d) => ({
    message: d.message,
    range: [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character],
    severity: d.severity,
    code: d.code,
  }));
  assert.deepEqual(actual, expected);
  for (const d of diagnostics) assert.equal(d.source, 'nnspec');
});

test('data checks run in the background on open: a missing CSV file is reported on its data line', async () => {
  const doc = await openFixture('missing-data.nnspec', 'input 4\ndense 3 softmax\nloss cce\ndata "no-such-file.csv"\n');
  const diagnostics = await waitFor(
    'the data check of missing-data.nnspec',
    () => vscode.languages.getDiagnostics(doc.uri),
    (d) => d.some((x) => x.code === 'data-error'),
  );
  const data = diagnostics.find((d) => d.code === 'data-error')!;
  assert.equal(data.range.start.line, 3);
  assert.equal(data.severity, vscode.DiagnosticSeverity.Error);
  assert.ok(data.message.includes('no-such-file.csv'), data.message);
  // The parser alone finds nothing wrong with the text.
  assert.deepEqual(diagnostics.filter((d) => d.code !== 'data-error'), []);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

test('the quick fix for a misspelt activation repairs it and its error goes away', async () => {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath.endsWith(`${path.sep}broken.nnspec`) && d.uri.fsPath.startsWith(scratch));
  assert.ok(doc, 'broken.nnspec is open');
  const range = new vscode.Range(2, 8, 2, 14);
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, range, vscode.CodeActionKind.QuickFix.value);
  const fix = actions.find((a) => a.title === "Change to 'sigmoid'");
  assert.ok(fix?.edit, `no "Change to 'sigmoid'" among ${describe(actions.map((a) => a.title))}`);
  assert.ok(await vscode.workspace.applyEdit(fix.edit));
  assert.equal(doc.lineAt(2).text, 'dense 4 sigmoid');
  await waitFor(
    'the unknown-activation diagnostic to go',
    () => vscode.languages.getDiagnostics(doc.uri).map((d) => d.code),
    (codes) => !codes.includes('unknown-activation') && codes.includes('unknown-loss'),
  );
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
});

test('completion offers activations after `dense N`, costs after `loss`, data sets after `data`', async () => {
  const doc = await openFixture('complete.nnspec', 'input 2\ndense 4 \nloss \ndata \n');
  const labels = async (line: number, character: number): Promise<string[]> => {
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(line, character));
    return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
  };
  const activations = await labels(1, 8);
  for (const a of ['identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'softmax']) assert.ok(activations.includes(a), `${a} not offered after 'dense 4 ': ${activations}`);
  const costs = await labels(2, 5);
  for (const c of ['mse', 'bce', 'cce']) assert.ok(costs.includes(c), `${c} not offered after 'loss ': ${costs}`);
  assert.ok(!costs.includes('sigmoid'), 'activations offered after loss');
  const sets = await labels(3, 5);
  for (const d of ['xor', 'spiral', 'digits']) assert.ok(sets.includes(d), `${d} not offered after 'data ': ${sets}`);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

test('hovering a word shows its documentation: an activation with formula and derivative, a cost with ∇C', async () => {
  const doc = await vscode.workspace.openTextDocument(xorUri);
  await vscode.window.showTextDocument(doc);
  const dense = lineOf(doc, 'dense 1 sigmoid');
  const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(dense, 10)));
  assert.ok(text.includes('σ(z) = 1/(1+e<sup>−z</sup>)'), `no sigmoid formula in:\n${text}`);
  assert.ok(text.includes("σ'(z) = σ(z)(1−σ(z))"), `no sigmoid derivative in:\n${text}`);
  const loss = lineOf(doc, 'loss');
  const lossText = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(loss, 6)));
  assert.ok(lossText.includes('∇<sub>a</sub>C = a<sup>L</sup> − y'), `no ∇C of mse in:\n${lossText}`);
});

test('the outline lists network, input, the layers, loss and data', async () => {
  const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', xorUri);
  const names = symbols.map((s) => s.name);
  for (const name of ['xor', 'input 2', 'layer 1: dense 4 tanh', 'layer 2: dense 1 sigmoid', 'loss mse', 'data xor']) {
    assert.ok(names.includes(name), `'${name}' not in the outline: ${describe(names)}`);
  }
});

test('Step takes exactly one mini-batch; the dense hover then shows the core\'s gradients for the same weights', async () => {
  const doc = await vscode.workspace.openTextDocument(xorUri);
  const reset = await vscode.commands.executeCommand<StepSummary>('nnspec.reset', xorUri);
  assert.equal(reset?.step, 0, `reset: ${describe(reset)}`);
  const before = path.join(scratch, 'before.weights.json');
  await vscode.commands.executeCommand('nnspec.saveWeights', xorUri, vscode.Uri.file(before));
  const stepped = await vscode.commands.executeCommand<StepSummary>('nnspec.step', xorUri);
  assert.equal(stepped?.step, 1, `step: ${describe(stepped)}`);

  // The core, in this process: the same spec, the weights the session had before its step, one step.
  const trainer = coreTrainer(doc.getText(), xorUri.fsPath);
  assert.deepEqual(readWeights(before), trainer.getWeights(), 'the session started from other weights than the core');
  const result = trainer.stepOnce();
  assertShown(session().state.latest?.loss ?? NaN, result.loss, 'batch loss');
  const after = path.join(scratch, 'after.weights.json');
  await vscode.commands.executeCommand('nnspec.saveWeights', xorUri, vscode.Uri.file(after));
  assert.deepEqual(readWeights(after), trainer.getWeights(), 'the session and the core differ after one step');

  const line = lineOf(doc, 'dense 4 tanh');
  const text = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', xorUri, new vscode.Position(line, 2)));
  const layer = trainer.layers[0];
  const grads = Array.from(layer.gradWeights);
  const abs = grads.map(Math.abs);
  const maxIndex = abs.indexOf(Math.max(...abs));
  assert.ok(text.includes('after step 1'), `hover is not for step 1:\n${text}`);
  assertShown(numberAfter(text, 'mean |∂C/∂w| = '), abs.reduce((a, b) => a + b, 0) / abs.length, 'mean |∂C/∂w|');
  assertShown(numberAfter(text, 'max |∂C/∂w| = '), abs[maxIndex], 'max |∂C/∂w|');
  const j = Math.floor(maxIndex / layer.inputs);
  const k = maxIndex % layer.inputs;
  assert.ok(text.includes(`at j=${j}, k=${k}`), `max not at j=${j}, k=${k}:\n${text}`);
  assertShown(numberAfter(text, '‖∂C/∂w‖ = '), Math.hypot(...grads), '‖∂C/∂w‖');
  assertShown(numberAfter(text, '‖Δw‖ of the last step = '), Math.hypot(...Array.from(layer.lastDeltaWeights)), '‖Δw‖');
  /** A shown number back to a number (the formatter writes a real minus sign, U+2212). */
  const shown = (t: string): number => Number(t.replace('\u2212', '-'));
  // The table's first row is the largest gradient: | j | k | w | ∂C/∂w | Δw |.
  const row = new RegExp(`\\| ${j} \\| ${k} \\| (\\S+) \\| (\\S+) \\| (\\S+) \\|`).exec(text);
  assert.ok(row, `no table row for j=${j}, k=${k}:\n${text}`);
  assertShown(shown(row[1]), layer.weights[maxIndex], 'w_jk');
  assertShown(shown(row[2]), layer.gradWeights[maxIndex], '∂C/∂w_jk');
  assertShown(shown(row[3]), layer.lastDeltaWeights[maxIndex], 'Δw_jk');
  // The chain rule for the traced sample: its largest term a_k^0 · δ_j^1 over every j, k.
  const trace = trainer.trace();
  let best = { j: 0, k: 0, p: -1 };
  for (let jj = 0; jj < layer.units; jj++) {
    for (let kk = 0; kk < layer.inputs; kk++) {
      const p = Math.abs(trace.activations[0][kk] * trace.deltas[0][jj]);
      if (p > best.p) best = { j: jj, k: kk, p };
    }
  }
  const chain = /= (\S+) · (\S+) = (\S+)\n/.exec(text.slice(text.indexOf('Chain rule')) + '\n');
  assert.ok(chain, `no chain rule in:\n${text}`);
  assertShown(shown(chain[1]), trace.activations[0][best.k], `a_${best.k}^0`);
  assertShown(shown(chain[2]), trace.deltas[0][best.j], `δ_${best.j}^1`);
  assertShown(shown(chain[3]), trace.activations[0][best.k] * trace.deltas[0][best.j], 'a·δ');
  assert.ok(text.includes('command:nnspec.showPanel?'), 'no link to the panel');
});

test('the code lens shows the commands and the session\'s epoch and loss', async () => {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', xorUri, 10);
  const titles = lenses.map((l) => l.command?.title ?? '');
  for (const title of ['$(play) Train', 'Step', 'Step epoch', 'Reset']) assert.ok(titles.includes(title), `'${title}' missing from ${describe(titles)}`);
  assert.ok(titles.some((t) => /^epoch 1\/1,000 · loss \d/.test(t)), `no progress lens in ${describe(titles)}`);
});

test('Train runs in the worker and Pause stops it: no step after the pause', async () => {
  // XOR with enough epochs that it is still running when the pause comes.
  const xor = fs.readFileSync(xorUri.fsPath, 'utf8');
  const doc = await openFixture('long.nnspec', xor.replace(/^epochs .*$/m, 'epochs 100000000'));
  const uri = doc.uri;
  try {
    const started = await vscode.commands.executeCommand<StepSummary>('nnspec.train', uri);
    assert.equal(started?.status, 'running', `train: ${describe(started)}`);
    const running = api.sessions.get(uri);
    assert.ok(running, 'Train made no session');
    await waitFor('training to take steps', () => running.state.step, (step) => step > 20);
    const paused = await vscode.commands.executeCommand<StepSummary>('nnspec.pause', uri);
    assert.equal(paused?.status, 'paused', `pause: ${describe(paused)}`);
    const step = running.state.step;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(running.state.step, step, 'steps were taken after the pause');
    assert.equal(running.status, 'paused');
  } finally {
    await vscode.commands.executeCommand('nnspec.stop', uri);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  }
});

test('Train runs an example to the end and the session reports it done', async () => {
  const doc = await openFixture('short.nnspec', fs.readFileSync(xorUri.fsPath, 'utf8').replace(/^epochs .*$/m, 'epochs 300'));
  try {
    await vscode.commands.executeCommand('nnspec.train', doc.uri);
    const done = await waitFor('training to finish', () => api.sessions.get(doc.uri)?.status, (status) => status === 'done');
    assert.equal(done, 'done');
    const state = api.sessions.get(doc.uri)!.state;
    assert.equal(state.step, 300);
    assert.equal(state.epochs.length, 300);
    assert.equal(state.stepLosses.length, 300);
    assert.ok(state.final?.train && Number.isFinite(state.final.train.loss), 'no final evaluation');
  } finally {
    await vscode.commands.executeCommand('nnspec.stop', doc.uri);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  }
});

test('Inspect Gradients (layer argument for tests) reports the layer\'s gradient norm', async () => {
  const result = await vscode.commands.executeCommand<{ layer: number; gradNorm: number }>('nnspec.inspectGradients', xorUri, 2);
  assert.equal(result?.layer, 2);
  const layers = session().state.layers;
  assert.ok(layers, 'the session holds the layer arrays');
  assertShown(result.gradNorm, Math.hypot(...Array.from(layers[1].gradWeights)), '‖∂C/∂w‖ of layer 2');
});

test('Check Gradients: backprop agrees with finite differences in every layer', async () => {
  const layers = await vscode.commands.executeCommand<{ index: number; maxRelativeError: number }[]>('nnspec.checkGradients', xorUri);
  assert.deepEqual(layers?.map((l) => l.index), [1, 2]);
  for (const l of layers) assert.ok(l.maxRelativeError < 1e-3, `layer ${l.index}: relative error ${l.maxRelativeError}`);
});

test('Predict gives the output and class for an input vector; bad input is refused', async () => {
  const result = await vscode.commands.executeCommand<{ output: number[]; predictedClass?: number }>('nnspec.predict', xorUri, '1, 0');
  assert.equal(result?.output.length, 1);
  assert.equal(result.predictedClass, result.output[0] > 0.5 ? 1 : 0);
  const refused = await vscode.commands.executeCommand('nnspec.predict', xorUri, '1, 0, 1');
  assert.equal(refused, undefined);
});

test('Load Weights says what does not fit, and loads weights that do', async () => {
  const saved = path.join(scratch, 'saved.weights.json');
  await vscode.commands.executeCommand('nnspec.saveWeights', xorUri, vscode.Uri.file(saved));
  const weights = JSON.parse(fs.readFileSync(saved, 'utf8'));
  weights.layers[0].weights[0][0] = 0.125;
  fs.writeFileSync(saved, JSON.stringify(weights));
  const wrong = JSON.parse(JSON.stringify(weights));
  wrong.layers[1].weights[0].pop();
  const wrongFile = path.join(scratch, 'wrong.weights.json');
  fs.writeFileSync(wrongFile, JSON.stringify(wrong));
  assert.equal(await vscode.commands.executeCommand('nnspec.loadWeights', xorUri, vscode.Uri.file(wrongFile)), false);
  assert.equal(await vscode.commands.executeCommand('nnspec.loadWeights', xorUri, vscode.Uri.file(saved)), true);
  assert.equal(session().state.layers?.[0].weights[0], 0.125);
  // Every readout shows the loaded weights' loss (the panel's "loaded weights"), not the last batch's.
  const loaded = session().state.latest?.loadedEvaluation;
  assert.ok(loaded, 'the snapshot after Load Weights has no evaluation of the loaded weights');
  assert.equal(session().state.readout.loss, loaded.train.loss);
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', xorUri)) ?? [];
  const progress = lenses.map((l) => l.command?.title ?? '').find((title) => title.startsWith('epoch '));
  assert.ok(progress?.includes(`loss ${formatLoss(loaded.train.loss)} (loaded weights)`), `code lens: ${progress}`);
});

test('a comment leaves the session as it is; a change of shape marks it stale; Restart loads the new spec', async () => {
  const doc = await vscode.workspace.openTextDocument(xorUri);
  await vscode.window.showTextDocument(doc);
  // A comment changes nothing the session trains: once the edit has settled it is still current.
  const comment = new vscode.WorkspaceEdit();
  comment.insert(xorUri, new vscode.Position(doc.lineCount, 0), '# an edit\n');
  assert.ok(await vscode.workspace.applyEdit(comment));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(session().stale, false, 'a comment made the session stale');
  // A layer's width is the network's shape: only a restart can take it.
  const line = doc.getText().split('\n').findIndex((text) => /^dense 4 tanh/.test(text));
  assert.ok(line >= 0, 'xor.nnspec has no "dense 4 tanh" line');
  const shape = new vscode.WorkspaceEdit();
  shape.replace(xorUri, new vscode.Range(line, 0, line, 'dense 4 tanh'.length), 'dense 5 tanh');
  assert.ok(await vscode.workspace.applyEdit(shape));
  await waitFor('the session to be stale', () => session().stale, (stale) => stale);
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', xorUri, 10);
  assert.ok(lenses.some((l) => l.command?.title === 'stale — restart'), 'no stale lens');
  await vscode.commands.executeCommand('nnspec.restart', xorUri);
  assert.equal(session().stale, false);
  assert.equal(session().status, 'ready');
  assert.equal(session().info?.layers[0].units, 5, 'Restart did not load the new spec');
  // Back to the file as it is on disk, and a session of it, for the tests after this one.
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await vscode.commands.executeCommand('nnspec.restart', xorUri);
  assert.equal(session().info?.layers[0].units, 4);
});

test('a crashed worker puts its session in error, with the reason, and the session can be started again', async () => {
  // A copy of the extension's layout whose worker also obeys a 'crash' message: process.exit(3).
  const fake = path.join(scratch, 'fake-extension');
  fs.mkdirSync(path.join(fake, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(extension.extensionUri.fsPath, 'dist', 'worker.js'), path.join(fake, 'dist', 'real-worker.js'));
  fs.writeFileSync(
    path.join(fake, 'dist', 'worker.js'),
    "require('./real-worker.js');\nrequire('node:worker_threads').parentPort.on('message', (m) => { if (m === 'crash') process.exit(3); });\n",
  );
  fs.symlinkSync(path.join(extension.extensionUri.fsPath, 'media'), path.join(fake, 'media'));
  const doc = await vscode.workspace.openTextDocument(xorUri);
  const crashing = new TrainingSession(xorUri, vscode.Uri.file(fake));
  try {
    await crashing.load(doc.getText());
    assert.equal(crashing.status, 'ready');
    await crashing.act('step');
    const failed = crashing.nextSnapshot(() => false).then(
      () => 'no error',
      (error: Error) => error.message,
    );
    (crashing as unknown as { worker: { postMessage(m: unknown): void } }).worker.postMessage('crash');
    assert.equal(await failed, 'the training worker exited with code 3');
    assert.equal(crashing.status, 'error');
    assert.equal(crashing.state.message, 'the training worker exited with code 3');
    assert.equal(crashing.hasWorker, false);
    await crashing.load(doc.getText());
    assert.equal(crashing.status, 'ready');
    assert.equal((await crashing.act('step')).step, 1);
  } finally {
    crashing.dispose();
  }
});

test('Export Network writes the session\'s current weights (PyTorch folder, ONNX file), off the host thread', async () => {
  await vscode.commands.executeCommand('nnspec.step', xorUri);
  const current = path.join(scratch, 'current.weights.json');
  await vscode.commands.executeCommand('nnspec.saveWeights', xorUri, vscode.Uri.file(current));
  const folder = path.join(scratch, 'xor-pytorch');
  const written = await vscode.commands.executeCommand<string[]>('nnspec.exportNetwork', xorUri, 'pytorch', vscode.Uri.file(folder));
  assert.ok(written?.some((file) => file.endsWith('train.py')), `pytorch export wrote ${describe(written)}`);
  for (const name of ['model.py', 'train.py', 'weights.json', 'README.md', 'data/train_inputs.npy']) assert.ok(fs.existsSync(path.join(folder, name)), `no ${name}`);
  assert.deepEqual(readWeights(path.join(folder, 'weights.json')), readWeights(current), 'the export has other weights than the session');
  const onnx = path.join(scratch, 'xor.onnx');
  assert.deepEqual(await vscode.commands.executeCommand<string[]>('nnspec.exportNetwork', xorUri, 'onnx', vscode.Uri.file(onnx)), [onnx]);
  assert.equal(fs.readFileSync(onnx)[1], 7, 'IR version 7 first');
  // weights as PyTorch's save_weights writes them (json.dump: one line) load back
  const fromTorch = path.join(scratch, 'from-torch.json');
  fs.writeFileSync(fromTorch, JSON.stringify(JSON.parse(fs.readFileSync(current, 'utf8'))) + '\n');
  assert.equal(await vscode.commands.executeCommand('nnspec.loadWeights', xorUri, vscode.Uri.file(fromTorch)), true);
});

test('training health: ReLU units that never fire show as a Warning on their dense line in the Problems panel, and go when the session stops', async () => {
  const text = fs.readFileSync(path.join(extension.extensionUri.fsPath, 'test', 'fixtures', 'health', 'dead-relu.nnspec'), 'utf8');
  const doc = await openFixture('dead-relu.nnspec', text);
  // Six of the eight units start with bias −50: z < 0 for every sample of the circle.
  const dead = path.join(scratch, 'dead.weights.json');
  const layers = [
    { weights: Array.from({ length: 8 }, (_, j) => [0.5 * ((j % 3) - 1), 0.3]), biases: Array.from({ length: 8 }, (_, j) => (j < 6 ? -50 : 0.1)) },
    { weights: [Array(8).fill(0.1)], biases: [0] },
  ];
  fs.writeFileSync(dead, JSON.stringify({ format: 'nnspec-weights', version: 1, layers }));
  await vscode.commands.executeCommand('nnspec.step', doc.uri);
  assert.equal(await vscode.commands.executeCommand('nnspec.loadWeights', doc.uri, vscode.Uri.file(dead)), true);
  for (let epoch = 0; epoch < 3; epoch++) await vscode.commands.executeCommand('nnspec.stepEpoch', doc.uri);
  const warnings = await waitFor(
    'a dead-units warning',
    () => vscode.languages.getDiagnostics(doc.uri).filter((d) => String(typeof d.code === 'object' ? d.code.value : d.code) === 'dead-units'),
    (found) => found.length > 0,
  );
  assert.equal(warnings[0].severity, vscode.DiagnosticSeverity.Warning);
  assert.equal(warnings[0].range.start.line, lineOf(doc, 'dense 8 relu'));
  assert.match(warnings[0].message, /6 of 8/);
  await vscode.commands.executeCommand('nnspec.stop', doc.uri);
  await waitFor('the warning to go', () => vscode.languages.getDiagnostics(doc.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Warning).length, (n) => n === 0);
});

test('Stop ends the session', async () => {
  const stopped = await vscode.commands.executeCommand<StepSummary>('nnspec.stop', xorUri);
  assert.equal(stopped?.status, 'stopped');
  assert.equal(session().status, 'stopped');
  assert.equal(session().hasWorker, false);
});

// ---------------------------------------------------------------------------------------------
// The runner

export async function run(): Promise<void> {
  const found = vscode.extensions.getExtension<NNSpecApi>(EXTENSION_ID);
  const failures: { name: string; message: string }[] = [];
  let passed = 0;
  const log: string[] = [];
  if (!found) {
    failures.push({ name: 'setup', message: `the extension ${EXTENSION_ID} is not installed in this VS Code` });
  } else {
    extension = found;
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nnspec-in-host-'));
    for (const t of tests) {
      const started = Date.now();
      try {
        await t.fn();
        passed++;
        log.push(`  ✓ ${t.name} (${Date.now() - started} ms)`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push({ name: t.name, message });
        log.push(`  ✗ ${t.name}\n      ${message.split('\n').join('\n      ')}`);
      }
    }
  }
  const result = { passed, failed: failures.length, failures };
  console.log(`NNSpec in-host suite: ${passed} passed, ${failures.length} failed\n${log.join('\n')}`);
  const out = process.env.NNSPEC_TEST_RESULT;
  if (out) {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out + '.tmp', JSON.stringify(result, null, 2));
    fs.renameSync(out + '.tmp', out);
  }
  if (failures.length > 0) {
    throw new Error(`${failures.length} of ${tests.length} in-host tests failed:\n${failures.map((f) => `${f.name}: ${f.message}`).join('\n')}`);
  }
}
