// convnetjs 0.3.0 ships no types: the little the benchmark uses.
declare module 'convnetjs' {
  export class Vol {
    constructor(sx: number, sy: number, depth: number, c?: number);
    w: Float64Array;
  }
  export interface Layer {
    out_sx: number;
    out_sy: number;
    out_depth: number;
  }
  export class Net {
    layers: Layer[];
    makeLayers(defs: object[]): void;
    forward(v: Vol, isTraining?: boolean): Vol;
  }
  export class RegressionLayer implements Layer {
    constructor(options: { in_sx: number; in_sy: number; in_depth: number });
    out_sx: number;
    out_sy: number;
    out_depth: number;
  }
  export class Trainer {
    constructor(net: Net, options: object);
    train(x: Vol, y: number | number[] | Float64Array): unknown;
  }
}
