import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * The audit trail: JSON lines at info whatever LOG_LEVEL says, on stdout
 * beside the app's logs (`"context":"audit"`), or appended to AUDIT_LOG_FILE.
 * Headers are never logged here; only the fields of AuditEntry.
 */
export function auditLogger(
  app: string,
  file: string | undefined,
  destination?: DestinationStream,
): Logger {
  const target =
    destination ?? pino.destination({ dest: file ?? 1, sync: false, append: true, mkdir: true });
  return pino({ level: 'info', base: { app, context: 'audit' } }, target);
}
