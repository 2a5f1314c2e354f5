/**
 * The .nnspec language: parse a spec, check it against its data, print diagnostics, and the
 * vocabulary (keywords, activations, costs, data sets …) that completion and hovers show.
 * Pure TypeScript: no `vscode`, no DOM.
 */
export { parseSpec, defaultSpec, type ParseOptions } from './parser';
export { checkAgainstData } from './check';
export { formatDiagnostic, DIAGNOSTIC_CODES, type DiagnosticCode } from './diagnostics';
export {
  vocabulary,
  DEFAULTS,
  keywordDoc,
  datasetDoc,
  synonyms,
  type Defaults,
  type Vocabulary,
  type KeywordDoc,
  type KeywordName,
  type OptionDoc,
  type ActivationDoc,
  type CostDoc,
  type DatasetDoc,
  type InitDoc,
  type NormalizeDoc,
  type OptimizerDoc,
  type Formula,
} from './vocabulary';
export { editDistance, suggest } from './suggest';
export { lexLine, splitLines, type LexToken } from './lexer';
