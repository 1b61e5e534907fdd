import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layering (STYLE.md): data flows config → checks → incidents → actions and alerts → store, and
// imports follow it. Folders under src/ that are capabilities; lib/, config/ and store/ are shared.
const capabilities = [
  'actions',
  'alerts',
  'backups',
  'bot',
  'checks',
  'cli',
  'disk',
  'fleet',
  'heartbeat',
  'host',
  'http',
  'incidents',
  'logs',
  'pm2',
  'scheduler',
  'supervision',
];

/** Forbids relative imports (type imports too) of the named src/ folders. */
const forbidFolders = (folders, message) => [
  'error',
  { patterns: [{ regex: `^(\\.\\./)+(${folders.join('|')})/`, message }] },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'logs/', 'backups/', 'data/', '.pm2/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.mjs', 'examples/*/*.mjs', 'scripts/*.mjs', 'bench/*.mjs'] },
      },
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'setImmediate',
          'URL',
          'fetch',
          'performance',
          'Buffer',
          'AbortController',
        ].map((name) => [name, 'readonly']),
      ),
    },
    rules: {
      // The bug warden exists to prevent: a promise nobody awaits. Fire-and-forget goes through runInBackground.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['src/store/**/*.ts'],
    rules: {
      'no-restricted-imports': forbidFolders(capabilities, 'store/ is shared: it imports lib/ and config/ only'),
    },
  },
  {
    // Known exception: incident rows are stored in the shapes and topic catalogue of incidents/.
    files: ['src/store/incidents.ts'],
    rules: {
      'no-restricted-imports': forbidFolders(
        capabilities.filter((name) => name !== 'incidents'),
        'store/ is shared: it imports lib/ and config/ only',
      ),
    },
  },
  {
    files: ['src/checks/**/*.ts'],
    rules: {
      'no-restricted-imports': forbidFolders(
        ['supervision', 'store'],
        'checks only observe: they know nothing of supervision or the store',
      ),
    },
  },
  {
    files: ['src/actions/**/*.ts'],
    rules: {
      'no-restricted-imports': forbidFolders(
        ['supervision'],
        'actions react to incident changes; they do not import supervision',
      ),
    },
  },
);
