/**
 * The weights file: `{"format": "nnspec-weights", "version": 1, "layers": [{"weights": [[w_jk, …], …], "biases": [b_j, …]}]}`.
 * Rows j are this layer's neurons, columns k the previous layer's.
 */
export interface WeightsFile {
  format: 'nnspec-weights';
  version: 1;
  layers: { weights: number[][]; biases: number[] }[];
}

/** A weights file that is malformed or does not fit the network; the message says where. */
export class WeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeightsError';
  }
}
