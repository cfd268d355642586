import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { prettyTransportIfTty } from '@regentra/http-api';

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
  if (destination) return LoggerModule.forRoot({ pinoHttp: [options, destination] });
  const transport = prettyTransportIfTty();
  return LoggerModule.forRoot({ pinoHttp: transport ? { ...options, transport } : options });
}
