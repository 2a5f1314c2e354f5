/** An exception nobody expected ends in one line, "nnspec: internal error: …", and exit 1: no stack trace. */
import { expect, it, vi } from 'vitest';
import { nnspec } from './cli-support';

vi.mock('../../src/core/project', () => ({
  defaultAssetsDir: () => '/nowhere',
  loadProject: () => {
    throw new RangeError('Invalid typed array length: -1');
  },
}));

it('prints the internal error as one line and exits 1', async () => {
  const run = await nnspec(['check', 'examples/xor.nnspec']);
  expect(run).toEqual({ code: 1, stdout: '', stderr: 'nnspec: internal error: Invalid typed array length: -1\n' });
});
