/** `nnspec export`'s usage errors: each names what is wrong and exits 2, writing nothing. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nnspec, tempDir } from './cli-support';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('nnspec export: usage', () => {
  it('--help shows the usage with every format', async () => {
    const run = await nnspec(['export', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: nnspec export SPEC --format onnx\|pytorch\|tfjs --out PATH/);
  });

  it('a missing or unknown --format, a missing --out, a missing parent folder: exit 2 with the reason', async () => {
    const spec = 'examples/xor.nnspec';
    expect(await nnspec(['export', spec, '--out', path.join(dir, 'x')])).toMatchObject({ code: 2, stderr: expect.stringContaining('--format is required: pytorch, onnx, tfjs') });
    expect(await nnspec(['export', spec, '--format', 'keras', '--out', path.join(dir, 'x')])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--format 'keras' is not one of pytorch, onnx, tfjs"),
    });
    expect(await nnspec(['export', spec, '--format', 'onnx'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--out is required: the .onnx file') });
    expect(await nnspec(['export', spec, '--format', 'onnx', '--out', path.join(dir, 'no', 'such', 'x.onnx')])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('does not exist'),
    });
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    expect(await nnspec(['export', spec, '--format', 'pytorch', '--out', path.join(dir, 'file')])).toMatchObject({ code: 2, stderr: expect.stringContaining('is a file; this format writes a folder') });
    expect(fs.readdirSync(dir)).toEqual(['file']);
  });

  it('--weights that do not fit the network: exit 2 naming the layer', async () => {
    const weights = path.join(dir, 'w.json');
    fs.writeFileSync(weights, JSON.stringify({ format: 'nnspec-weights', version: 1, layers: [{ weights: [[1, 2]], biases: [0] }] }));
    const run = await nnspec(['export', 'examples/xor.nnspec', '--format', 'onnx', '--out', path.join(dir, 'x.onnx'), '--weights', weights]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the weights have 1 layer, the network has 2');
  });
});
