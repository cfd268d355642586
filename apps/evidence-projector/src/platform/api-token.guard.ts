import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request } from 'express';
import { bearerMatches } from '@regentra/http-auth';
import { PROJECTOR_CONFIG, ProjectorConfig } from '../config/projector.config';

/**
 * Every `/v1` route of the read API needs `Authorization: Bearer
 * <PROJECTOR_API_TOKEN>` (registered globally, so a new route cannot forget
 * it). `/health` and `/metrics` stay open for the platform's probes and
 * scraper: they carry no customer data (README, threat model).
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(PROJECTOR_CONFIG) config: ProjectorConfig) {
    this.expected = Buffer.from(config.PROJECTOR_API_TOKEN);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (!request.path.startsWith('/v1/')) return true;
    if (!bearerMatches(request.headers.authorization, this.expected)) {
      throw new UnauthorizedException({
        statusCode: 401,
        error: 'Unauthorized',
        code: 'unauthorized',
        message: 'missing or wrong bearer token for the evidence API (PROJECTOR_API_TOKEN)',
      });
    }
    return true;
  }
}
