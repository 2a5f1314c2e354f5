/** A data set in memory: what every loader returns and what the engine trains on. */
export interface Dataset {
  /** For messages and the panel: 'xor', 'digits', 'iris.csv', … */
  name: string;
  count: number;
  inputSize: number;
  outputSize: number;
  /** count × inputSize, row-major: sample i is inputs.subarray(i*inputSize, (i+1)*inputSize). */
  inputs: Float32Array;
  /** count × outputSize, row-major (one-hot rows for classes). */
  targets: Float32Array;
  /**
   * 'classification': one-hot targets, accuracy = argmax agrees;
   * 'binary': one output in {0,1}, accuracy = (output > 0.5) agrees;
   * 'regression': no accuracy.
   */
  task: 'classification' | 'binary' | 'regression';
  classNames?: string[];
  /** For image data: rows × cols of one input (digits: 28 × 28). */
  imageShape?: [number, number];
}

/** What loaders need to know besides the `data` statement. */
export interface DataContext {
  /** Folder of the spec file: relative paths resolve against it. */
  baseDir: string;
  /** The extension's/package's `media/` folder (the digits binary lives in media/data/). */
  assetsDir: string;
  seed: number;
  /** Width of the network's output layer, when known: CSV/IDX integer labels become one-hot of this width. */
  outputSize?: number;
  /**
   * Bytes the loader may claim (file, decompressed bytes, floats), checked before it allocates;
   * default budgetBytes() (src/core/budget.ts, 2048 MB).
   */
  memoryBudget?: number;
}

/**
 * A data file or data statement that cannot be used. The message says what is wrong;
 * `file`, `row` (1-based line of the file) and `column` (1-based field) say where.
 */
export class DataError extends Error {
  constructor(
    message: string,
    readonly where: { file?: string; row?: number; column?: number } = {},
  ) {
    super(message);
    this.name = 'DataError';
  }
}
