import type { Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { DestinationStream } from 'pino';
import { AccessGuard, AUDIT_LOG, AUTHENTICATOR } from './access.guard';
import { auditLogger } from './audit-log';
import { AccessSettings, Authenticator } from './authenticator';

/** The global deny-by-default guard with its authenticator and audit log. */
export function accessProviders(options: {
  app: string;
  settings: AccessSettings;
  auditFile?: string;
  /** Tests: the audit lines go where the app's logs go. */
  destination?: DestinationStream;
}): Provider[] {
  return [
    { provide: AUTHENTICATOR, useFactory: () => new Authenticator(options.settings) },
    {
      provide: AUDIT_LOG,
      useFactory: () => auditLogger(options.app, options.auditFile, options.destination),
    },
    { provide: APP_GUARD, useClass: AccessGuard },
  ];
}
