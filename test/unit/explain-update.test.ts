/**
 * Phase 7 names and shows the spec's own update rule (explain.ts UPDATE_RULES): for every
 * optimizer the rule, written out here independently of optimizers.ts and applied with the
 * values phase 7 shows to the batch gradient with its L2 and L1 terms, gives the weights the
 * trainer's step gives; and `nnspec explain` prints that rule, its values and the regularisers.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { explainNextStep, updateRule, type UpdateRuleName } from '../../src/core/engine/explain';
import { defaultAssetsDir, loadProject } from '../../src/core/project';
import { nnspec } from './cli-support';

const SPEC = (optimizer: string, extra = ''): string =>
  `input 2\ndense 3 tanh\ndense 1 sigmoid\nloss bce\noptimizer ${optimizer}\n${extra}batch 8\nepochs 2\nseed 7\ndata circle n=40\n`;

const CASES: { optimizer: string; rule: UpdateRuleName; title: string; lines: string[] }[] = [
  { optimizer: 'sgd rate=0.3', rule: 'sgd', title: 'gradient descent (sgd)', lines: ['w ← w − η g'] },
  { optimizer: 'sgd rate=0.3 momentum=0.8', rule: 'momentum', title: 'sgd with momentum', lines: ['v ← μv − η g', 'w ← w + v'] },
  { optimizer: 'sgd rate=0.3 momentum=0.8 nesterov=true', rule: 'nesterov', title: 'sgd with Nesterov momentum', lines: ['v ← μv − η g', 'w ← w + μv − η g'] },
  { optimizer: 'adam rate=0.01', rule: 'adam', title: 'Adam', lines: ['m ← β₁m + (1 − β₁) g', 'v ← β₂v + (1 − β₂) g²', 'w ← w − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)'] },
  { optimizer: 'rmsprop rate=0.01 rho=0.9', rule: 'rmsprop', title: 'RMSprop', lines: ['v ← ρv + (1 − ρ) g²', 'w ← w − η g / (√v + ε)'] },
  { optimizer: 'adagrad rate=0.05', rule: 'adagrad', title: 'Adagrad', lines: ['G ← G + g²', 'w ← w − η g / (√G + ε)'] },
];

/** One step from zero state by the named rule, written out here: w after. */
function byHand(rule: UpdateRuleName, values: Map<string, number>, w: number, g: number): number {
  const eta = values.get('η')!;
  switch (rule) {
    case 'sgd':
    case 'momentum':
      return w - eta * g; // v = 0 before the first step: v ← −ηg, w ← w + v
    case 'nesterov':
      return w + values.get('μ')! * (-eta * g) - eta * g;
    case 'adam': {
      const [b1, b2, eps, t] = ['β₁', 'β₂', 'ε', 't'].map((k) => values.get(k)!);
      const m = (1 - b1) * g;
      const v = (1 - b2) * g * g;
      return w - (eta / (1 - b1 ** t)) * (m / (Math.sqrt(v) / Math.sqrt(1 - b2 ** t) + eps));
    }
    case 'rmsprop': {
      const v = (1 - values.get('ρ')!) * g * g;
      return w - (eta * g) / (Math.sqrt(v) + values.get('ε')!);
    }
    case 'adagrad':
      return w - (eta * g) / (Math.sqrt(g * g) + values.get('ε')!);
  }
}

describe('phase 7: the update rule of the spec’s optimizer', () => {
  for (const c of CASES) {
    it(`${c.optimizer} with l2 and l1: "${c.title}", and its rule with the values shown is the trainer’s step`, () => {
      const project = loadProject(SPEC(c.optimizer, 'l2 0.01\nl1 0.002\n'), '/tmp/explain-update.nnspec', { assetsDir: defaultAssetsDir() });
      if (!project.ok) throw new Error(project.message);
      const { trainer } = project;
      const walk = explainNextStep(trainer);
      const rule = walk.update;
      expect(rule.name).toBe(c.rule);
      expect(rule.title).toBe(c.title);
      expect(rule.text).toEqual(c.lines);
      expect(rule.gradient.text).toBe('g = (1/m) Σ_x ∂C_x/∂w + λ₂w (λ₂ = 0.01) + λ₁ sign(w) (λ₁ = 0.002)');
      expect(rule.tex).toMatch(/\\leftarrow/);
      const values = new Map(rule.values);
      expect(values.get('η')).toBe(trainer.rate);
      if (c.rule === 'adam') expect(values.get('t')).toBe(1);
      const before = trainer.layers.map((l) => l.weights.slice());
      // g: the batch mean (phase 7's meanW) plus λ₂w + λ₁ sign(w)
      const g = walk.layers.map((layer, l) => Array.from(layer.meanW, (mean, i) => mean + 0.01 * before[l][i] + 0.002 * Math.sign(before[l][i])));
      trainer.stepOnce();
      trainer.layers.forEach((layer, l) => {
        for (let i = 0; i < layer.weights.length; i++) {
          expect(layer.weights[i], `layer ${l + 1} weight ${i}`).toBeCloseTo(byHand(c.rule, values, before[l][i], g[l][i]), 5);
        }
      });
    });
  }

  it('momentum’s second step: v is the last change, so w ← w + μv − ηg with the μ shown', () => {
    const project = loadProject(SPEC('sgd rate=0.3 momentum=0.8'), '/tmp/explain-update.nnspec', { assetsDir: defaultAssetsDir() });
    if (!project.ok) throw new Error(project.message);
    const { trainer } = project;
    trainer.stepOnce();
    const walk = explainNextStep(trainer);
    const values = new Map(walk.update.values);
    expect(values.get('μ')).toBe(0.8);
    const before = trainer.layers.map((l) => l.weights.slice());
    const v = trainer.layers.map((l) => l.lastDeltaWeights.slice());
    trainer.stepOnce();
    trainer.layers.forEach((layer, l) => {
      for (let i = 0; i < layer.weights.length; i++) {
        expect(layer.weights[i]).toBeCloseTo(before[l][i] + values.get('μ')! * v[l][i] - values.get('η')! * walk.layers[l].gradW[i], 6);
      }
    });
  });

  it('no regularisers: g is the batch mean alone', () => {
    const project = loadProject(SPEC('adam'), '/tmp/explain-update.nnspec', { assetsDir: defaultAssetsDir() });
    if (!project.ok) throw new Error(project.message);
    expect(updateRule(project.trainer).gradient.text).toBe('g = (1/m) Σ_x ∂C_x/∂w');
    expect(updateRule(project.trainer).values).toEqual([['η', 0.001], ['β₁', 0.9], ['β₂', 0.999], ['ε', 1e-8], ['t', 1]]);
  });
});

describe('nnspec explain prints the rule', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nnspec-explain-update-'));
  for (const c of CASES) {
    it(c.optimizer, async () => {
      const file = path.join(dir, `${c.rule}.nnspec`);
      fs.writeFileSync(file, SPEC(c.optimizer, 'l2 0.01\n'));
      const run = await nnspec(['explain', file]);
      expect(run.code, run.stderr).toBe(0);
      const phase7 = run.stdout.slice(run.stdout.indexOf('7. the update'));
      expect(phase7.split('\n')[0]).toBe(`7. the update (over a mini-batch of m samples): ${c.title}`);
      expect(phase7).toContain('g = (1/m) Σ_x ∂C_x/∂w + λ₂w (λ₂ = 0.01)');
      for (const line of c.lines) expect(phase7).toContain(`   ${line}\n`);
      const rate = /rate=([\d.]+)/.exec(c.optimizer)![1];
      expect(phase7).toContain(`(η = ${rate}`);
      if (c.rule === 'adam') expect(phase7).toContain('β₁ = 0.9, β₂ = 0.999, ε = 1e-8, t = 1)');
      if (c.rule === 'momentum' || c.rule === 'nesterov') expect(phase7).toContain('μ = 0.8');
      if (c.rule === 'sgd') expect(phase7).not.toContain('μ');
    });
  }
});
