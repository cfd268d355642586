import express from 'express';
import { ExpressAdapter } from '@nestjs/platform-express';

/**
 * The HTTP adapter of both apps: Express with case-sensitive and strict
 * routing. Express matches routes case-insensitively and ignores a trailing
 * slash by default, so `/V1/…` and `/v1/…/` reached the same handlers; the
 * router takes these settings when it is created, so they are set before
 * Nest touches it.
 */
export function strictHttpAdapter(): ExpressAdapter {
  const app = express();
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.disable('x-powered-by');
  return new ExpressAdapter(app);
}
