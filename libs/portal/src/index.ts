// The public API of nestjs-portal. Nothing that is not exported here is public.

// core: no Nest, no HTTP
export * from './core/interface-token.js';
export * from './core/errors.js';
export * from './core/secrets.js';
export * from './core/credentials.js';
export * from './core/realm.js';
export * from './core/checker.js';
export * from './core/portal.js';
export * from './core/logger.js';
export * from './core/checkers/allow-anonymous-access.js';
export * from './core/checkers/in-memory.js';

// http: credential factories and header parsing
export * from './http/credential-factory.js';
