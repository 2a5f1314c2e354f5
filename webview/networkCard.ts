/**
 * The network card: the network view with its link-mode switch, the Walk button, and the point-
 * and-click edits of the spec (a selected layer's neurons, hidden layers, activation; the rate,
 * batch, noise and validation share). Edits go to the host as `editSpec` messages; the host
 * changes the document's text, which comes back as a new session the way typing does.
 */
import type { FromPanel, Snapshot, SessionInfo, SpecEditRequest } from '../src/protocol';
import type { Activation } from '../src/core/spec';
import { scaleIndex, toCss, unpack } from './colors';
import { button, el, segmented } from './dom';
import { formatNumber } from './format';
import { LINK_MODES, NetworkView, type LinkMode } from './network';
import type { Palette } from './theme';
import type { CellTooltip } from './tooltip';

const ACTIVATIONS: Activation[] = ['identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'softmax'];

export class NetworkCard {
  readonly root = el('section', 'card network-card');
  readonly view: NetworkView;
  private readonly note = el('span', 'muted');
  /** What the neuron pictures' colours mean. */
  private readonly legend = el('div', 'network-legend muted');
  private readonly editRow = el('div', 'network-edits');
  private readonly layerLabel = el('span', 'muted');
  private readonly addNeuron: HTMLButtonElement;
  private readonly removeNeuron: HTMLButtonElement;
  private readonly addLayer: HTMLButtonElement;
  private readonly removeLayer: HTMLButtonElement;
  private readonly activation = el('select');
  private readonly fields: Record<'rate' | 'batch' | 'noise' | 'validation', HTMLInputElement>;
  private info: SessionInfo | undefined;

  constructor(
    private readonly post: (message: FromPanel) => void,
    tooltip: CellTooltip,
    announce: (text: string) => void,
    private readonly redraw: () => void,
  ) {
    this.view = new NetworkView(tooltip, announce, () => this.syncEdits());
    const header = el('header');
    const modes = segmented<LinkMode>('Links show', LINK_MODES, () => this.view.mode, (m) => {
      this.view.mode = m;
      modes.sync();
      this.redraw();
    });
    const walk = button('Walk through a step', 'Take the next mini-batch step apart, phase by phase (NNSpec: Walk Through a Step)', () => this.post({ type: 'walk' }), 'primary');
    walk.classList.add('walk-start');
    const tools = el('div', 'tools');
    tools.append(modes.root, walk);
    header.append(el('h2', undefined, 'Network'), tools);

    const edit = (request: () => SpecEditRequest | undefined) => () => {
      const r = request();
      if (r) this.post({ type: 'editSpec', edit: r });
    };
    const layer = (): number | undefined => this.view.selectedLayer;
    this.addNeuron = button('+ neuron', 'Add a neuron to the selected hidden layer (edits the spec; Ctrl+Z undoes)', edit(() => (layer() ? { kind: 'addNeuron', layer: layer()! } : undefined)));
    this.removeNeuron = button('− neuron', 'Remove a neuron from the selected hidden layer', edit(() => (layer() ? { kind: 'removeNeuron', layer: layer()! } : undefined)));
    this.addLayer = button('+ layer', 'Add a hidden layer after the selected one (after the input when none is selected)', edit(() => ({ kind: 'addLayer', after: Math.min(layer() ?? 0, (this.info?.layers.length ?? 1) - 1) })));
    this.removeLayer = button('− layer', 'Remove the selected hidden layer', edit(() => (layer() ? { kind: 'removeLayer', layer: layer()! } : undefined)));
    for (const [b, name] of [[this.addNeuron, 'add-neuron'], [this.removeNeuron, 'remove-neuron'], [this.addLayer, 'add-layer'], [this.removeLayer, 'remove-layer']] as const) b.dataset.edit = name;
    this.activation.setAttribute('aria-label', 'Activation of the selected layer');
    // Shown while no layer is selected (the list would otherwise say "identity", as if a layer had it).
    const none = Object.assign(el('option', undefined, 'activation'), { value: '', disabled: true });
    this.activation.append(none, ...ACTIVATIONS.map((a) => Object.assign(el('option', undefined, a), { value: a })));
    this.activation.addEventListener('change', () => {
      const l = layer();
      if (l) this.post({ type: 'editSpec', edit: { kind: 'setActivation', layer: l, activation: this.activation.value as Activation } });
    });
    this.editRow.append(this.layerLabel, this.addNeuron, this.removeNeuron, this.addLayer, this.removeLayer, this.activation);

    const learning = el('div', 'network-edits');
    const field = (name: 'rate' | 'batch' | 'noise' | 'validation', label: string, title: string, toRequest: (v: string) => SpecEditRequest | undefined): HTMLInputElement => {
      const input = el('input');
      input.type = 'text';
      input.size = 6;
      input.title = title;
      input.dataset.field = name;
      const wrap = el('label', 'muted', `${label} `);
      wrap.append(input);
      learning.append(wrap);
      input.addEventListener('change', () => {
        const r = toRequest(input.value.trim());
        if (!r) return;
        this.post({ type: 'editSpec', edit: r });
        // The spec's text holds the value now (Ctrl+Z there undoes it): the field goes back to
        // showing the session's value as its placeholder, so it never says what the text does not.
        input.value = '';
      });
      return input;
    };
    const number = (v: string): number | undefined => (v === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));
    this.fields = {
      rate: field('rate', 'η', 'The learning rate (optimizer sgd rate=…)', (v) => (number(v) === undefined ? undefined : { kind: 'setRate', value: number(v)! })),
      batch: field('batch', 'batch', 'Samples per step, or full (batch …)', (v) => (v === 'full' ? { kind: 'setBatch', value: 'full' } : number(v) === undefined ? undefined : { kind: 'setBatch', value: number(v)! })),
      noise: field('noise', 'noise', 'Noise of a generated data set (data … noise=…)', (v) => (number(v) === undefined ? undefined : { kind: 'setNoise', value: number(v)! })),
      validation: field('validation', 'validation', 'The share held out (validation …)', (v) => (number(v) === undefined ? undefined : { kind: 'setValidation', value: number(v)! })),
    };
    const box = el('div', 'network-box');
    box.append(this.view.canvas);
    this.legend.hidden = true;
    this.root.append(header, this.note, box, this.legend, this.editRow, learning);
    this.syncEdits(false);
  }

  build(info: SessionInfo, latest: Snapshot | undefined): void {
    this.info = info;
    this.view.build(info);
    const wide = [info.inputSize, ...info.layers.map((l) => l.units)].some((n) => n > 64);
    const sizes = [info.inputSize, ...info.layers.map((l) => l.units)];
    const crowded = sizes.some((n, i) => i > 0 && n <= 64 && sizes[i - 1] <= 64 && n * sizes[i - 1] > 256);
    this.note.textContent =
      'Links: blue positive, red negative, thicker = larger. Neurons: their activation for the traced sample. Click a layer to edit it.' +
      (wide ? ' Layers of more than 64 neurons are drawn as a band (one stripe a neuron) with their 64 largest links.' : '') +
      (crowded ? ' Between two layers with more than 256 links the 256 largest are drawn.' : '');
    this.fields.batch.placeholder = String(info.batchSize);
    const total = info.trainCount + info.validationCount;
    this.fields.validation.placeholder = String(Number((info.validationCount / Math.max(1, total)).toFixed(3)));
    if (latest) this.fields.rate.placeholder = String(Number(latest.rate.toPrecision(4)));
    this.syncEdits();
  }

  /** A snapshot: η's placeholder is the rate of the next step (live edits of `rate` change it). */
  update(latest: Snapshot): void {
    const rate = String(Number(latest.rate.toPrecision(4)));
    if (this.fields.rate.placeholder !== rate) this.fields.rate.placeholder = rate;
  }

  draw(palette: Palette): void {
    this.view.draw(palette);
    this.drawLegend(palette);
  }

  /** The pictures' legend: what they show, and their colour scale per layer (low, middle, high). */
  private drawLegend(palette: Palette): void {
    const info = this.info;
    const pictures = this.view.pictures;
    const text = pictures.legendText();
    this.legend.hidden = !text || !info;
    if (!text || !info) return;
    const left = this.view.picturesLeftOut();
    if (left.narrow) {
      this.legend.replaceChildren(el('span', undefined, 'The panel is too narrow for the neurons’ pictures: widen it to see them beside the neurons.'));
      return;
    }
    const patch = (value: number, offset: number, limit: number, label: string): HTMLElement => {
      const item = el('span', 'legend-item');
      const swatch = el('span', 'swatch patch');
      swatch.style.background = toCss(unpack(palette.scale.lut[scaleIndex(value - offset, limit)]));
      item.append(swatch, label);
      return item;
    };
    const items: (HTMLElement | string)[] = [text];
    info.layers.forEach((layer, i) => {
      const scale = pictures.scale(i + 1);
      if (!scale || left.crowded.includes(i + 1)) return;
      const row = el('span', 'legend-layer');
      row.dataset.layer = String(i + 1);
      const what = pictures.kind(i + 1) === 'tile' ? 'w' : 'a';
      row.append(
        `layer ${i + 1} (${layer.activation}), ${what}: `,
        patch(scale.low, scale.offset, scale.limit, formatNumber(scale.low)),
        patch(scale.mid, scale.offset, scale.limit, formatNumber(scale.mid)),
        patch(scale.high, scale.offset, scale.limit, formatNumber(scale.high)),
      );
      items.push(row);
    });
    if (info.layers.some((l, i) => l.units > 64 && i > 0) || info.layers[0]?.units > 64) items.push(el('span', undefined, 'Layers drawn as a band have no pictures (the weight tiles above show layer 1 of an image network).'));
    for (const l of left.crowded) items.push(el('span', undefined, `Layer ${l}’s ${info.layers[l - 1].units} neurons are too close together for pictures beside them.`));
    this.legend.replaceChildren(...items);
  }

  private syncEdits(redraw = true): void {
    const l = this.view.selectedLayer;
    const L = this.info?.layers.length ?? 0;
    const hidden = l !== undefined && l < L;
    this.layerLabel.textContent = l === undefined ? 'no layer selected' : `layer ${l}${hidden ? '' : ' (output)'}:`;
    this.addNeuron.disabled = !hidden;
    this.removeNeuron.disabled = !hidden;
    this.removeLayer.disabled = !hidden;
    this.activation.disabled = l === undefined;
    this.activation.value = l !== undefined && this.info ? this.info.layers[l - 1].activation : '';
    if (redraw) this.redraw();
  }
}
