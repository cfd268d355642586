import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';

/**
 * Structured JSON logs (pino). Authorization headers and anything called
 * token/apiToken are redacted by path; the Okta token itself is only ever held
 * in a Secret whose serialisation is "[redacted]".
 */
export function loggingModule(level: string, destination?: DestinationStream) {
  const options = {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.apiToken',
        '*.token',
        'apiToken',
        'token',
      ],
      censor: '[redacted]',
    },
    autoLogging: {
      ignore: (req: { url?: string }) => req.url === '/health' || req.url === '/metrics',
    },
    customProps: () => ({ app: 'okta-collector' }),
  };
  return LoggerModule.forRoot({ pinoHttp: destination ? [options, destination] : options });
}
