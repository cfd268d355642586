import type { LoggerService } from '@nestjs/common';

/** Nest's own start-up narration: one line per module, controller and route. */
const STARTUP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

const contextOf = (params: unknown[]): unknown => params[params.length - 1];

/**
 * The app's logger with Nest's start-up narration ("Mapped {/v1/…, GET}
 * route", "… dependencies initialized") moved from info to debug: at info a
 * start shows what we log, not every route. `LOG_LEVEL=debug` brings it back.
 */
export function withQuietStartup(logger: LoggerService): LoggerService {
  return {
    log: (message: unknown, ...params: unknown[]) =>
      STARTUP_CONTEXTS.has(String(contextOf(params)))
        ? logger.debug?.(message, ...params)
        : logger.log(message, ...params),
    error: (message: unknown, ...params: unknown[]) => logger.error(message, ...params),
    warn: (message: unknown, ...params: unknown[]) => logger.warn(message, ...params),
    debug: (message: unknown, ...params: unknown[]) => logger.debug?.(message, ...params),
    verbose: (message: unknown, ...params: unknown[]) => logger.verbose?.(message, ...params),
    fatal: (message: unknown, ...params: unknown[]) => logger.fatal?.(message, ...params),
  };
}
