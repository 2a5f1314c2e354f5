// The lint `npm test` runs (npm run lint): typescript-eslint's switch-exhaustiveness-check over
// the extension, the worker, the core, the CLI and the panel — every `switch` over a union (the
// protocol's messages above all) names every case or ends in assertNever — plus a few basics
// that catch real mistakes. Deliberately small, so it stays fast; style is not linted.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.vscode-test/**', 'bench/**', 'test/**', 'wasm/**', 'scripts/**', '**/*.mjs', '**/*.js'] },
  {
    files: ['src/**/*.ts', 'webview/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { allowDefaultCaseForExhaustiveSwitch: true, requireDefaultForNonUnion: false, considerDefaultExhaustiveForUnions: true }],
      'no-debugger': 'error',
      'no-dupe-keys': 'error',
      'no-duplicate-case': 'error',
      'no-fallthrough': 'error',
      'no-self-assign': 'error',
      'no-unreachable': 'error',
      'no-unsafe-finally': 'error',
      'use-isnan': 'error',
      'valid-typeof': 'error',
    },
  },
);
