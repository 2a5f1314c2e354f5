/**
 * Walk Through a Step: the next mini-batch step taken apart, one stage at a time — phases 1–6 of
 * backpropagation for one sample of the batch (a layer per stage where the maths loops over
 * layers), then phase 7, the batch's update, a layer per stage. Every number shown is the
 * engine's own (StepExplanation, sent by the worker); nothing is recomputed here.
 *
 * Next/Back (buttons, → and ←), Finish takes the step exactly as Step does, Close leaves it.
 * Each stage names the layer it is about (the network view highlights it, the host highlights
 * its `dense` line) through `onStage`.
 */
import type { StepExplanation } from '../src/core/engine/explain';
import { COST_FORMULA, outputRuleNote, superscript } from '../src/core/engine/explain';
import type { SessionInfo } from '../src/protocol';
import { button, el } from './dom';
import { formatNumber, plural } from './format';
import { tex } from './math';

/** Vectors up to this length are shown whole; longer ones by their largest entries. */
export const WALK_FULL_VECTOR = 16;
/** Matrices up to this many entries are shown whole. */
export const WALK_FULL_MATRIX = 64;
/** How many of the largest entries stand for a big vector or matrix. */
export const WALK_LARGEST = 8;

/** What a stage is about, for the network view's highlight and the editor's. */
export interface WalkFocus {
  /** 1…7 */
  phase: number;
  /** The layer l (from 1) the stage is about; 0 for the input; undefined for the whole network. */
  layer?: number;
  /** forward: a^{l−1} → z^l, a^l; backward: δ^{l+1} → δ^l; gradient: ∂C/∂w^l; update: Δw^l. */
  direction: 'input' | 'forward' | 'cost' | 'backward' | 'gradient' | 'update';
}

interface Stage extends WalkFocus {
  title: string;
  /** The equation, in plain Unicode (the screen reader's) and in TeX (typeset by KaTeX). */
  equation: string;
  tex: string;
  note?: string;
  body: () => HTMLElement[];
}

export interface WalkCallbacks {
  /** Finish: take the step (the panel sends control 'step'). */
  finish: () => void;
  /** The walk for another sample of the batch. */
  chooseSample: (sample: number) => void;
  /** The shown stage changed (undefined: the walk closed). */
  onStage: (focus: WalkFocus | undefined) => void;
}

export const PHASE_TITLES = [
  'the input',
  'forward: weighted inputs and activations',
  'the cost of this sample',
  'the output error',
  'the error passed back',
  'the gradients of this sample',
  'the update over the mini-batch',
];

export class WalkView {
  readonly root = el('section', 'card walk-card');
  private readonly heading = el('h2');
  private readonly position = el('span', 'muted walk-position');
  private readonly sampleSelect = el('select');
  private readonly content = el('div', 'walk-stage');
  private readonly backButton: HTMLButtonElement;
  private readonly nextButton: HTMLButtonElement;
  private readonly message = el('p', 'banner info');
  private walk: StepExplanation | undefined;
  private info: SessionInfo | undefined;
  private stages: Stage[] = [];
  private index = 0;

  constructor(private readonly callbacks: WalkCallbacks) {
    this.root.hidden = true;
    this.root.tabIndex = -1;
    this.root.setAttribute('aria-label', 'Walk through a step');
    const header = el('header');
    const tools = el('div', 'tools');
    this.backButton = button('◀ Back', 'The previous stage (←)', () => this.go(-1));
    this.nextButton = button('Next ▶', 'The next stage (→)', () => this.go(1), 'primary');
    const finish = button('Finish step', 'Take this step, exactly as Step does', () => this.finish());
    const close = button('Close', 'Leave the walk without taking the step (Esc)', () => this.close());
    finish.classList.add('walk-finish');
    close.classList.add('walk-close');
    const sampleLabel = el('label', 'muted', 'sample ');
    sampleLabel.append(this.sampleSelect);
    this.sampleSelect.addEventListener('change', () => this.callbacks.chooseSample(Number(this.sampleSelect.value)));
    tools.append(sampleLabel, this.backButton, this.nextButton, finish, close);
    header.append(this.heading, tools);
    this.message.hidden = true;
    this.root.append(header, this.position, this.message, this.content);
    this.root.addEventListener('keydown', (e) => this.key(e));
  }

  get open(): boolean {
    return !this.root.hidden;
  }

  /** The stage shown, for tests: its phase, layer and title. */
  get stage(): Stage | undefined {
    return this.stages[this.index];
  }

  get stageCount(): number {
    return this.stages.length;
  }

  show(walk: StepExplanation, info: SessionInfo): void {
    const sameStep = this.walk?.step === walk.step && this.open;
    this.walk = walk;
    this.info = info;
    this.stages = buildStages(walk, info);
    if (!sameStep) this.index = 0;
    this.index = Math.min(this.index, this.stages.length - 1);
    this.sampleSelect.replaceChildren(
      ...walk.batch.map((i) => {
        const option = el('option', undefined, `${i}`);
        option.value = String(i);
        option.selected = i === walk.sample.sample;
        return option;
      }),
    );
    this.message.hidden = true;
    this.root.hidden = false;
    this.render();
    this.root.focus();
  }

  failed(message: string): void {
    this.root.hidden = false;
    this.message.hidden = false;
    this.message.className = 'banner error';
    this.message.textContent = `The step cannot be walked through: ${message}`;
  }

  go(delta: number): void {
    const next = this.index + delta;
    if (next < 0 || next >= this.stages.length) return;
    this.index = next;
    this.render();
  }

  close(): void {
    this.root.hidden = true;
    this.walk = undefined;
    this.callbacks.onStage(undefined);
  }

  private finish(): void {
    this.close();
    this.callbacks.finish();
  }

  private key(e: KeyboardEvent): void {
    if (e.target instanceof HTMLSelectElement) return;
    if (e.key === 'ArrowRight' || e.key === 'PageDown') this.go(1);
    else if (e.key === 'ArrowLeft' || e.key === 'PageUp') this.go(-1);
    else if (e.key === 'Escape') this.close();
    else return;
    e.preventDefault();
  }

  private render(): void {
    const walk = this.walk;
    const stage = this.stages[this.index];
    if (!walk || !stage || !this.info) return;
    this.heading.textContent = `Walk through step ${walk.step} (epoch ${walk.epoch + 1}): phase ${stage.phase} of 7, ${PHASE_TITLES[stage.phase - 1]}`;
    this.position.textContent = `stage ${this.index + 1} of ${this.stages.length} · training sample ${walk.sample.sample}, one of the ${plural(walk.batch.length, 'sample', 'samples')} of this mini-batch · ← → to move`;
    const title = el('h3', undefined, stage.title);
    const equation = el('div', 'walk-equation');
    equation.append(tex(stage.tex, 'tex walk-tex'));
    equation.setAttribute('aria-label', stage.equation);
    equation.dataset.unicode = stage.equation;
    const parts: HTMLElement[] = [title, equation];
    if (stage.note) parts.push(el('p', 'muted walk-note', stage.note));
    parts.push(...stage.body());
    this.content.replaceChildren(...parts);
    this.content.dataset.phase = String(stage.phase);
    this.content.dataset.layer = stage.layer === undefined ? '' : String(stage.layer);
    this.backButton.disabled = this.index === 0;
    this.nextButton.disabled = this.index === this.stages.length - 1;
    this.callbacks.onStage({ phase: stage.phase, layer: stage.layer, direction: stage.direction });
  }
}

// ---------------------------------------------------------------------------
// The stages

function buildStages(walk: StepExplanation, info: SessionInfo): Stage[] {
  const e = walk.sample;
  const L = e.layers.length;
  const sup = superscript;
  const stages: Stage[] = [];
  stages.push({
    phase: 1,
    layer: 0,
    direction: 'input',
    title: '1. The input goes in as the first activation',
    equation: 'a⁰ = x',
    tex: 'a^0 = x',
    note: info.features ? `x is the features ${info.features.join(' ')} of the point (x1, x2), as the network sees them (after normalisation).` : 'x as the network sees it (after normalisation); y is the target.',
    body: () => [vector('x', 'a⁰ = x', e.x), vector('y', 'y', e.y)],
  });
  for (const layer of e.layers) {
    const l = layer.index;
    stages.push({
      phase: 2,
      layer: l,
      direction: 'forward',
      title: `2. Forward, layer ${l} (dense ${layer.units} ${layer.activation})`,
      equation: `z${sup(l)} = w${sup(l)} a${sup(l - 1)}${layer.bias ? ` + b${sup(l)}` : ''},   a${sup(l)} = ${layer.activation}(z${sup(l)})`,
      tex: `z^{${l}} = w^{${l}} a^{${l - 1}}${layer.bias ? ` + b^{${l}}` : ''}, \\quad a^{${l}} = \\operatorname{${layer.activation.replace('_', '\\_')}}(z^{${l}})`,
      body: () => [
        matrix('w', `w${sup(l)} (${layer.units}×${layer.inputs}, rows j, columns k)`, layer.weights, layer.units, layer.inputs),
        ...(layer.bias ? [vector('b', `b${sup(l)}`, layer.biases)] : []),
        vector('z', `z${sup(l)}`, layer.z),
        vector('a', `a${sup(l)}`, layer.a),
      ],
    });
  }
  const output = e.layers[L - 1];
  stages.push({
    phase: 3,
    layer: L,
    direction: 'cost',
    title: `3. The cost of sample ${e.sample} (${e.loss}, no L2 term)`,
    equation: COST_FORMULA[e.loss].text,
    tex: COST_FORMULA[e.loss].tex,
    body: () => [vector('aL', `a${sup(L)}`, output.a), vector('y', 'y', e.y), scalar('cost', 'Cₓ', e.cost)],
  });
  const fused = e.outputRule !== 'chain';
  stages.push({
    phase: 4,
    layer: L,
    direction: 'backward',
    title: `4. The output error δ${sup(L)}`,
    equation: fused ? `δ${sup(L)} = a${sup(L)} − y` : `δ${sup(L)} = ∇ₐC ⊙ σ′(z${sup(L)})`,
    tex: fused ? `\\delta^{${L}} = a^{${L}} - y` : `\\delta^{${L}} = \\nabla_a C \\odot \\sigma'(z^{${L}})`,
    note: outputRuleNote(e.outputRule, e.loss, output.activation),
    body: () => [vector('delta', `δ${sup(L)}`, output.delta)],
  });
  if (L === 1) {
    stages.push({ phase: 5, direction: 'backward', title: '5. The error passed back', equation: 'δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ′(zˡ)', tex: '\\delta^l = ((w^{l+1})^T \\delta^{l+1}) \\odot \\sigma\'(z^l)', note: 'One layer: there is nothing to pass back.', body: () => [] });
  }
  for (let i = L - 2; i >= 0; i--) {
    const layer = e.layers[i];
    const l = layer.index;
    stages.push({
      phase: 5,
      layer: l,
      direction: 'backward',
      title: `5. The error passed back to layer ${l}`,
      equation: `δ${sup(l)} = ((w${sup(l + 1)})ᵀ δ${sup(l + 1)}) ⊙ ${layer.activation}′(z${sup(l)})`,
      tex: `\\delta^{${l}} = \\left((w^{${l + 1}})^T \\delta^{${l + 1}}\\right) \\odot \\operatorname{${layer.activation.replace('_', '\\_')}}'(z^{${l}})`,
      body: () => [vector('deltaNext', `δ${sup(l + 1)}`, e.layers[i + 1].delta), vector('z', `z${sup(l)}`, layer.z), vector('delta', `δ${sup(l)}`, layer.delta)],
    });
  }
  for (const layer of e.layers) {
    const l = layer.index;
    stages.push({
      phase: 6,
      layer: l,
      direction: 'gradient',
      title: `6. The gradients of layer ${l} for this sample`,
      equation: `∂Cₓ/∂b${sup(l)} = δ${sup(l)},   ∂Cₓ/∂w${sup(l)} = δ${sup(l)} (a${sup(l - 1)})ᵀ, i.e. ∂Cₓ/∂w${sup(l)}ⱼₖ = a${sup(l - 1)}ₖ · δ${sup(l)}ⱼ`,
      tex: `\\frac{\\partial C_x}{\\partial b^{${l}}} = \\delta^{${l}}, \\quad \\frac{\\partial C_x}{\\partial w^{${l}}} = \\delta^{${l}} (a^{${l - 1}})^T, \\quad \\frac{\\partial C_x}{\\partial w^{${l}}_{jk}} = a^{${l - 1}}_k \\, \\delta^{${l}}_j`,
      body: () => [
        ...(layer.bias ? [vector('db', `∂Cₓ/∂b${sup(l)}`, layer.db)] : []),
        matrix('dW', `∂Cₓ/∂w${sup(l)} (rows j, columns k)`, layer.dW, layer.units, layer.inputs),
      ],
    });
  }
  walk.layers.forEach((update, i) => {
    const layer = e.layers[i];
    const l = layer.index;
    // the spec's own rule (explain.ts UPDATE_RULES), g = ∂C/∂w^l with its regularisers
    const rule = walk.update;
    const values = rule.values.map(([name, value]) => `${name} = ${formatNumber(value)}`).join(', ');
    stages.push({
      phase: 7,
      layer: l,
      direction: 'update',
      title: `7. The update of layer ${l} over the mini-batch of ${walk.batch.length}: ${rule.title} (m = ${walk.batch.length}, ${values})`,
      equation: [rule.gradient.text, ...rule.text].join(';   '),
      tex: `${rule.gradient.tex}, \\quad ${rule.tex}`,
      note: walk.rule !== 'sgd' ? `The walk shows g, the gradient ${rule.title} takes${walk.l1 > 0 ? ' (with its L1 term)' : ''}; its own state makes Δw, which the heatmaps show once Finish takes the step.` : i === walk.layers.length - 1 ? `The batch's mean cost is ${formatNumber(walk.loss)}${walk.l2 > 0 ? ' (L2 term included)' : ''}. Finish takes this step: the weights change by exactly Δw.` : undefined,
      body: () => [
        matrix('meanW', `(1/m) Σₓ ∂Cₓ/∂w${sup(l)}`, update.meanW, layer.units, layer.inputs),
        ...(walk.l2 > 0 ? [matrix('l2W', `λ₂w${sup(l)}`, update.l2W, layer.units, layer.inputs)] : []),
        ...(walk.l1 > 0 && update.l1W ? [matrix('l1W', `λ₁ sign(w${sup(l)})`, update.l1W, layer.units, layer.inputs)] : []),
        ...(walk.momentum > 0 ? [matrix('velocityW', `v (the last step's change)`, update.velocityW, layer.units, layer.inputs)] : []),
        ...(walk.rule === 'sgd' ? [matrix('changeW', `Δw${sup(l)}`, update.changeW, layer.units, layer.inputs)] : [matrix('gradW', `∂C/∂w${sup(l)}`, update.gradW, layer.units, layer.inputs)]),
        ...(layer.bias ? [vector('gradB', `∂C/∂b${sup(l)}`, update.gradB), ...(walk.rule === 'sgd' ? [vector('changeB', `Δb${sup(l)}`, update.changeB)] : [])] : []),
      ],
    });
  });
  return stages;
}

// ---------------------------------------------------------------------------
// Numbers

function quantity(name: string, label: string): HTMLElement {
  const box = el('div', 'walk-quantity');
  box.dataset.name = name;
  box.append(el('span', 'walk-label', label));
  return box;
}

function cell(value: number, index: string): HTMLElement {
  const c = el('span', 'walk-cell', formatNumber(value));
  c.dataset.index = index;
  c.classList.toggle('negative', value < 0);
  return c;
}

function scalar(name: string, label: string, value: number): HTMLElement {
  const box = quantity(name, label);
  box.append(el('span', 'walk-equals', '='), cell(value, '0'));
  return box;
}

/** Whole when short; else its largest entries by size, with their indices. */
function vector(name: string, label: string, values: ArrayLike<number>): HTMLElement {
  const box = quantity(name, label);
  const cells = el('span', 'walk-vector');
  if (values.length <= WALK_FULL_VECTOR) {
    for (let i = 0; i < values.length; i++) cells.append(cell(values[i], String(i)));
  } else {
    box.dataset.summarised = 'true';
    for (const i of largest(values, WALK_LARGEST)) {
      const entry = el('span', 'walk-entry');
      entry.append(el('span', 'walk-index', `[${i}]`), cell(values[i], String(i)));
      cells.append(entry);
    }
    cells.append(el('span', 'muted', `the ${WALK_LARGEST} largest of ${values.length.toLocaleString('en-US')}`));
  }
  box.append(el('span', 'walk-equals', '='), cells);
  return box;
}

/** A table when small; else its largest entries with [j,k]. */
function matrix(name: string, label: string, values: ArrayLike<number>, rows: number, cols: number): HTMLElement {
  const box = quantity(name, label);
  if (rows * cols <= WALK_FULL_MATRIX) {
    const table = el('table', 'walk-matrix');
    for (let j = 0; j < rows; j++) {
      const tr = el('tr');
      for (let k = 0; k < cols; k++) {
        const td = el('td');
        td.append(cell(values[j * cols + k], `${j},${k}`));
        tr.append(td);
      }
      table.append(tr);
    }
    box.append(table);
  } else {
    box.dataset.summarised = 'true';
    const cells = el('span', 'walk-vector');
    for (const i of largest(values, WALK_LARGEST)) {
      const entry = el('span', 'walk-entry');
      const j = Math.floor(i / cols);
      const k = i % cols;
      entry.append(el('span', 'walk-index', `[${j},${k}]`), cell(values[i], `${j},${k}`));
      cells.append(entry);
    }
    cells.append(el('span', 'muted', `the ${WALK_LARGEST} largest of ${rows}×${cols}`));
    box.append(el('span', 'walk-equals', '='), cells);
  }
  return box;
}

function largest(values: ArrayLike<number>, count: number): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]) || a - b);
  return order.slice(0, count);
}
