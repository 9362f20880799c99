// The framework-free part of the public API, importable as 'nestjs-portal/core'
// by code that does not have Nest installed: the core and the HTTP factories.

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
export * from './core/token-credentials.js';
export * from './core/checkers/jwt-bearer.js';
export * from './core/checkers/token-lookup.js';
export * from './core/cram-md5.js';
export * from './core/checkers/file-password-db.js';
export * from './core/checkers/htpasswd-file.js';
export * from './core/checkers/htpasswd-line.js';
export * from './core/checkers/htdigest-file.js';
export * from './core/security/hash-password.js';
export * from './core/security/verification-cache.js';
export * from './core/security/login-throttle.js';
export * from './core/security/audit.js';

// http: credential factories and header parsing
export * from './http/credential-factory.js';
export * from './http/errors.js';
export * from './http/auth-params.js';
export * from './http/digest-hash.js';
export * from './http/digest-nonce.js';
export * from './http/digested-credentials.js';
export * from './http/digest.credential-factory.js';
export * from './http/bearer.credential-factory.js';
export * from './http/authorization-header.js';
export * from './http/basic.credential-factory.js';
