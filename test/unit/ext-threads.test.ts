/** The nnspec.threads setting (src/extension/features/threads.ts): 0 is automatic, a bad value is said once and automatic used. */
import { describe, expect, it } from 'vitest';
import { threadsSetting } from '../../src/extension/features/threads';
import { defaultTrainingThreads } from '../../src/core/engine/threadPool';

describe('nnspec.threads', () => {
  it('0 (the default) is min(cores − 1, 4), at least 1', () => {
    const warnings: string[] = [];
    expect(threadsSetting(0, (m) => warnings.push(m))).toBe(defaultTrainingThreads());
    expect(defaultTrainingThreads(1)).toBe(1);
    expect(defaultTrainingThreads(2)).toBe(1);
    expect(defaultTrainingThreads(4)).toBe(3);
    expect(defaultTrainingThreads(16)).toBe(4);
    expect(warnings).toEqual([]);
  });

  it('a whole number from 1 to 64 is taken as it is', () => {
    const warnings: string[] = [];
    expect(threadsSetting(1, (m) => warnings.push(m))).toBe(1);
    expect(threadsSetting(3, (m) => warnings.push(m))).toBe(3);
    expect(threadsSetting(64, (m) => warnings.push(m))).toBe(64);
    expect(warnings).toEqual([]);
  });

  it('a bad value is said once, with what is expected, and the automatic count is used', () => {
    const warnings: string[] = [];
    expect(threadsSetting(-2, (m) => warnings.push(m))).toBe(defaultTrainingThreads());
    expect(threadsSetting(-2, (m) => warnings.push(m))).toBe(defaultTrainingThreads());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^NNSpec: nnspec\.threads: -2 is not a number of threads: expected a whole number from 1 to 64, or 0 or auto for min\(cores − 1, 4\), at least 1 \(\d+ on this machine's \d+ cores\)\. Training uses \d+ thread\(s\) until the setting is fixed\.$/,
    );
    expect(threadsSetting(2.5, (m) => warnings.push(m))).toBe(defaultTrainingThreads());
    expect(threadsSetting('lots', (m) => warnings.push(m))).toBe(defaultTrainingThreads());
    expect(threadsSetting(1000, (m) => warnings.push(m))).toBe(defaultTrainingThreads());
    expect(warnings).toHaveLength(4);
    expect(warnings[2]).toContain("'lots' is not a number of threads");
  });
});
