/** A bug inside a loader comes back as a failed project with "internal error: …", not a throw. */
import { expect, it, vi } from 'vitest';

vi.mock('../../src/core/data/index', () => ({
  loadDataset: () => {
    throw new TypeError("Cannot read properties of undefined (reading 'length')");
  },
}));

it('an unexpected exception in a loader becomes the failure message', async () => {
  const { loadProject, defaultAssetsDir } = await import('../../src/core/project');
  const result = loadProject('input 2\ndense 1 sigmoid\ndata xor\n', 'x.nnspec', { assetsDir: defaultAssetsDir() });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.message).toBe("internal error: Cannot read properties of undefined (reading 'length')");
  expect(result.parse).toBeDefined();
});
