/**
 * The Python interpreter with PyTorch for the export tests. Debian's python3-torch installs into
 * /usr/bin/python3, and the `python3` first on PATH may be another interpreter without it, so each
 * candidate is asked to import torch. None: the test fails saying what to install (never skips).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as net from 'node:net';

const CANDIDATES = ['/usr/bin/python3', 'python3', 'python'];

let found: string | undefined;

export function torchPython(): string {
  if (found) return found;
  for (const candidate of CANDIDATES) {
    const result = spawnSync(candidate, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
    if (result.status === 0) return (found = candidate);
  }
  throw new Error(
    'no Python with PyTorch and NumPy found (tried ' +
      CANDIDATES.join(', ') +
      '): install Debian\'s python3-torch: `apt-get install -y --no-install-recommends python3-torch` (it goes to /usr/bin/python3)',
  );
}

/** Whether this interpreter has the onnx package (Debian's python3-onnx). */
export function pythonHas(module: string): boolean {
  return spawnSync(torchPython(), ['-c', `import ${module}`], { encoding: 'utf8', timeout: 120_000 }).status === 0;
}

export interface PythonRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the interpreter with these arguments in `cwd`, asynchronously (several may run at once). */
export function runPython(args: string[], cwd: string, timeoutMs = 240_000): Promise<PythonRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(torchPython(), args, { cwd, env: { ...process.env, OMP_NUM_THREADS: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** A TCP port free on 127.0.0.1 now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `torchrun --nproc_per_node=K train.py ARGS` on one machine, as `--standalone` does, but on a free
 * port: PyTorch 1.13's --standalone always takes localhost:29400, so two runs at once (parallel
 * test files, another project's tests) collide. On Python 3.11 torchrun needs --redirects 1 --tee 1
 * (its default output settings crash there); --monitor_interval=0.5 starts it faster.
 */
export async function runTorchrun(processes: number, args: string[], cwd: string): Promise<PythonRun> {
  const port = await freePort();
  return runPython(
    [
      '-m', 'torch.distributed.run',
      '--nnodes=1', `--nproc_per_node=${processes}`,
      '--rdzv_backend=c10d', `--rdzv_endpoint=127.0.0.1:${port}`, `--rdzv_id=nnspec-test-${port}`,
      '--redirects', '1', '--tee', '1', '--monitor_interval=0.5',
      ...args,
    ],
    cwd,
  );
}
