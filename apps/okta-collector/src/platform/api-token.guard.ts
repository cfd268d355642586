import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request } from 'express';
import { bearerMatches } from '@regentra/http-auth';
import { COLLECTOR_CONFIG, CollectorConfig } from '../config/collector.config';

/** Service-to-service auth: `Authorization: Bearer <COLLECTOR_API_TOKEN>`. */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(COLLECTOR_CONFIG) config: CollectorConfig) {
    this.expected = Buffer.from(config.COLLECTOR_API_TOKEN);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (!bearerMatches(request.headers.authorization, this.expected)) {
      throw new UnauthorizedException('missing or wrong bearer token for the collector API');
    }
    return true;
  }
}
