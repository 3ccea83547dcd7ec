// ESLint flat config (npm run lint; part of npm test). The type-aware rules need the TypeScript program
// (projectService reads tsconfig.json): they catch the promise and switch mistakes the compiler lets
// through. Layout is Prettier's job (npm run format), so no stylistic rules here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The Node globals the plain-JS entry points and scripts use (TypeScript files get theirs from @types/node). */
const nodeGlobals = {
  process: 'readonly',
  console: 'readonly',
  Buffer: 'readonly',
  URL: 'readonly',
  setTimeout: 'readonly',
  setImmediate: 'readonly',
  setInterval: 'readonly',
  clearTimeout: 'readonly',
};

export default tseslint.config(
  {
    ignores: ['dist/', 'coverage/', '.bench/', '.tiers/', '.venv/', '.venv-interop/', 'src/gen/', 'examples/', 'templates/', 'test/fixtures/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    rules: {
      // `_name` marks a value dropped on purpose (a destructured field left out of a copy, an unused parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // A `default:` branch counts as handling the rest of a union, so only switches without one must list every member.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // A `!` that stays carries `// eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- why it cannot be null`;
      // tests and benchmarks use defined() from test/helpers/defined.ts, which fails on the spot instead.
      '@typescript-eslint/no-non-null-assertion': 'error',
    },
  },
  {
    // tests match the escape sequences and control characters dynafeast must never print raw
    files: ['test/**'],
    rules: { 'no-control-regex': 'off' },
  },
);
