import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
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
    const header = request.headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    const given = Buffer.from(match?.[1] ?? '');
    if (given.length !== this.expected.length || !timingSafeEqual(given, this.expected)) {
      throw new UnauthorizedException('missing or wrong bearer token for the collector API');
    }
    return true;
  }
}
