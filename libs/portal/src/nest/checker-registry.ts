import type { ICredentialsChecker } from '../core/checker.js';
import type { InterfaceToken } from '../core/interface-token.js';
import type { PortalLogger } from '../core/logger.js';
import type { Portal } from '../core/portal.js';

/** A checker with the label that warnings and errors name it by. */
export interface LabelledChecker {
  readonly checker: ICredentialsChecker;
  /** Class name and origin, such as `HtpasswdFile (checkers[1], "htpasswd:")`. */
  readonly label: string;
  /** The credential interfaces to register it for; default `checker.credentialInterfaces`. */
  readonly credentialInterfaces?: readonly InterfaceToken[];
}

/**
 * Registers checkers on the portal and remembers which one is registered for
 * each credential interface, so that a later checker claiming an interface
 * that another one has is logged as a warning naming both.
 */
export class CheckerRegistry {
  private readonly holders = new Map<InterfaceToken, LabelledChecker>();

  constructor(
    readonly portal: Portal,
    private readonly logger: Pick<PortalLogger, 'warn'>,
  ) {}

  /** Registers the checker; a later registration for an interface replaces the earlier one. */
  register(entry: LabelledChecker): void {
    const interfaces = entry.credentialInterfaces?.length
      ? entry.credentialInterfaces
      : entry.checker.credentialInterfaces;
    if (!Array.isArray(interfaces) || interfaces.length === 0) {
      throw new TypeError(
        `Checker ${entry.label} names no credential interfaces: set its credentialInterfaces ` +
          'or list them in @CredentialsChecker().',
      );
    }

    for (const credentialInterface of interfaces) {
      const holder = this.holders.get(credentialInterface);
      if (holder && holder.checker !== entry.checker) {
        this.logger.warn(
          `Checker ${entry.label} replaces checker ${holder.label} for credential ` +
            `interface ${credentialInterface.name}.`,
        );
      }
      this.holders.set(credentialInterface, entry);
    }
    this.portal.registerChecker(entry.checker, ...interfaces);
  }
}

/** Returns a checker's class name, for labels. */
export function checkerClassName(checker: object): string {
  return checker.constructor?.name || 'object';
}
