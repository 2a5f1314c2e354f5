/** One-line descriptions of a loaded project, shared by the commands. */
import * as path from 'node:path';
import { parameterCount, type NetworkSpec } from '../core/spec';
import type { LoadedProject } from '../core/project';

/** `network NAME`, else the spec file's base name without `.nnspec`. */
export function networkName(spec: NetworkSpec, given: string): string {
  return spec.name ?? path.basename(given).replace(/\.nnspec$/i, '');
}

/** "2-4-1" */
export function architecture(spec: NetworkSpec): string {
  return [spec.input.size, ...spec.layers.map((layer) => layer.units)].join('-');
}

/** "tanh/sigmoid" */
export function activations(spec: NetworkSpec): string {
  return spec.layers.map((layer) => layer.activation).join('/');
}

export function describeNetwork(project: LoadedProject): string {
  const { spec } = project;
  const params = parameterCount(spec);
  return `${architecture(spec)} ${activations(spec)}, ${params.toLocaleString('en-US')} parameter${params === 1 ? '' : 's'}, loss ${spec.loss}`;
}

export function describeData(project: LoadedProject): string {
  const { prepared } = project;
  const validation = prepared.validation ? prepared.validation.count : 0;
  return `data ${project.dataset.name}: ${prepared.train.count} training sample${prepared.train.count === 1 ? '' : 's'}, ${validation} validation`;
}
