// The public API of nestjs-portal. Nothing that is not exported here is public.

// core and http: no Nest import (also importable as 'nestjs-portal/core')
export * from './framework-free.js';

// nest: the module, the guard, decorators and the avatar context
export * from './nest/portal.module.js';
export * from './nest/portal-module-options.js';
export * from './nest/portal.guard.js';
export * from './nest/portal-audit.js';
export * from './nest/avatar.decorator.js';
export * from './nest/avatar-interface.decorator.js';
export * from './nest/credentials-checker.decorator.js';
export * from './nest/skip-portal.decorator.js';
export * from './nest/avatar-context.js';
export * from './nest/avatar-context.interceptor.js';
export { getPortalSession, type PortalSession } from './nest/portal-session.js';
export * from './nest/checker-strings.js';
