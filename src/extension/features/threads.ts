/**
 * The `nnspec.threads` setting: how many threads a training session computes with (the training
 * worker's pool, src/core/engine/threadPool.ts). 0 = automatic: min(cores − 1, 4), at least 1,
 * which leaves a core to VS Code (docs/performance.md, "Threads"). A value that is not a thread
 * count is said once (per value) and the automatic count used.
 */
import { defaultTrainingThreads, parseThreads } from '../../core/engine/threadPool';

let lastWarned: string | undefined;

/** The thread count the setting's `value` means; `warn` hears (once per bad value) why it was not used. */
export function threadsSetting(value: unknown, warn: (message: string) => void): number {
  const parsed = parseThreads(value);
  if ('threads' in parsed) return parsed.threads;
  const key = JSON.stringify(value) ?? String(value);
  if (key !== lastWarned) {
    lastWarned = key;
    warn(`NNSpec: nnspec.threads: ${parsed.error}. Training uses ${defaultTrainingThreads()} thread(s) until the setting is fixed.`);
  }
  return defaultTrainingThreads();
}
