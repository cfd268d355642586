import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { prettyTransportIfTty } from '@regentra/http-api';

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
  if (destination) return LoggerModule.forRoot({ pinoHttp: [options, destination] });
  const transport = prettyTransportIfTty();
  return LoggerModule.forRoot({ pinoHttp: transport ? { ...options, transport } : options });
}
