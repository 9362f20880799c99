import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'libs/portal/dist/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      // Marker interfaces such as IAnonymous have no members on purpose.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'always' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The core must stay usable without Nest: no import of @nestjs/* below core/.
    files: ['libs/portal/src/core/**/*.ts', 'libs/portal/src/http/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@nestjs/*'], message: 'core/ and http/ must not import Nest.' }] },
      ],
    },
  },
  {
    files: ['libs/portal/src/core/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@nestjs/*'], message: 'core/ must not import Nest.' },
            {
              group: ['../http/*', '../nest/*'],
              message: 'core/ must not import the outer layers.',
            },
          ],
        },
      ],
    },
  },
);
