import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import jsxA11y from 'eslint-plugin-jsx-a11y';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'web/dist/', 'scratch/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    // The domain runs in the scanner page too: nothing from Node, the database or the web framework.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'node:*',
            'drizzle-orm*',
            'fastify*',
            'pg',
            '@electric-sql/*',
            '../db/*',
            '../http/*',
            '../services/*',
          ],
        },
      ],
    },
  },
  {
    // Preact's hooks follow React's rules, and its JSX is checked for accessibility like React's.
    files: ['web/src/**/*.tsx', 'web/src/**/*.ts'],
    ...jsxA11y.flatConfigs.strict,
    plugins: { 'react-hooks': reactHooks, 'jsx-a11y': jsxA11y },
    // Preact writes a label's target as `for`, as HTML does.
    settings: { 'jsx-a11y': { attributes: { for: ['for', 'htmlFor'] } } },
    rules: {
      ...jsxA11y.flatConfigs.strict.rules,
      // A table that scrolls sideways is a focusable region so a keyboard can scroll it (axe: scrollable-region-focusable).
      'jsx-a11y/no-noninteractive-tabindex': ['error', { tags: [], roles: ['tabpanel', 'region'] }],
      // A choice's label reads its text from a few levels down (label > span > strong > {name}).
      'jsx-a11y/label-has-associated-control': ['error', { depth: 3 }],
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': ['error', { additionalHooks: '^useLoad$' }],
    },
  },
  {
    // Plain scripts the service worker imports (web/public): they run in a ServiceWorkerGlobalScope.
    files: ['web/public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: globals.serviceworker },
  },
  {
    files: ['eslint.config.js', 'vitest.config.ts', 'web/vite.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
