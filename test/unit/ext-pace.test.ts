/** The pace rule (src/extension/pace.ts), checked on the bundled examples as the worker loads them. */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadProject } from '../../src/core/project';
import { parameterCount } from '../../src/core/spec';
import { AUTO_RUN_SECONDS, parsePace, roundUp125, stepsPerSecond } from '../../src/extension/pace';

const root = path.resolve(__dirname, '../..');

function run(example: string): { parameterCount: number; epochs: number; stepsPerEpoch: number } {
  const file = path.join(root, 'examples', example);
  const project = loadProject(fs.readFileSync(file, 'utf8'), file, { assetsDir: path.join(root, 'media') });
  if (!project.ok) throw new Error(project.message);
  return { parameterCount: parameterCount(project.spec), epochs: project.trainer.epochs, stepsPerEpoch: project.trainer.stepsPerEpoch };
}

describe('pace', () => {
  it('auto: the small examples take several seconds to watch, the digits train at full speed', () => {
    for (const example of ['xor.nnspec', 'circle.nnspec', 'spiral.nnspec', 'sine.nnspec']) {
      const r = run(example);
      const pace = stepsPerSecond('auto', r);
      expect(pace, example).toBeGreaterThan(0);
      const seconds = (r.epochs * r.stepsPerEpoch) / pace;
      expect(seconds, example).toBeGreaterThan(AUTO_RUN_SECONDS / 3);
      expect(seconds, example).toBeLessThanOrEqual(AUTO_RUN_SECONDS);
    }
    for (const example of ['digits-30.nnspec', 'digits-softmax.nnspec']) expect(stepsPerSecond('auto', run(example)), example).toBe(0);
  });

  it('a long run of a small network is not slowed: full speed when the pace would exceed 10,000 steps/s', () => {
    expect(stepsPerSecond('auto', { parameterCount: 337, epochs: 200_000, stepsPerEpoch: 25 })).toBe(0);
  });

  it('full, a number, and what settings and messages may hold', () => {
    expect(stepsPerSecond('full', { parameterCount: 9, epochs: 10, stepsPerEpoch: 1 })).toBe(0);
    expect(stepsPerSecond(10, undefined)).toBe(10);
    expect(parsePace('100')).toBe(100);
    expect(parsePace('full')).toBe('full');
    expect(parsePace('fast')).toBe('auto');
    expect(parsePace(-3)).toBe('auto');
    expect([0.5, 1, 3, 20, 21, 999, 1001].map(roundUp125)).toEqual([1, 1, 5, 20, 50, 1000, 2000]);
  });
});
