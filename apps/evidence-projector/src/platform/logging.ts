import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';

/** Structured JSON logs (pino) with auth headers redacted. */
export function projectorLogging(level: string, destination?: DestinationStream) {
  const options = {
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    autoLogging: {
      ignore: (req: { url?: string }) => req.url === '/health' || req.url === '/metrics',
    },
    customProps: () => ({ app: 'evidence-projector' }),
  };
  return LoggerModule.forRoot({ pinoHttp: destination ? [options, destination] : options });
}
