// Jest runs in ESM mode because NestJS 12 ships as ES modules only; the
// `test` script sets NODE_OPTIONS=--experimental-vm-modules for that.
/** @type {import('jest').Config} */
export default {
  extensionsToTreatAsEsm: ['.ts'],
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  modulePathIgnorePatterns: ['<rootDir>/dist', '<rootDir>/libs/portal/dist'],
  moduleNameMapper: {
    '^nestjs-portal$': '<rootDir>/libs/portal/src/index.ts',
    '^nestjs-portal/core$': '<rootDir>/libs/portal/src/framework-free.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testTimeout: 30000,
};
