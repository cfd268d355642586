import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { Logger as Pino } from 'pino';
import type { Action } from './actions';
import { PUBLIC_ROUTE, ROUTE_ACTION } from './access.decorators';
import { decide } from './access-policy';
import { AuthenticationError, Authenticator, keyIdOf } from './authenticator';

export const AUTHENTICATOR = Symbol('AUTHENTICATOR');
export const AUDIT_LOG = Symbol('AUDIT_LOG');

/** ★ One audit line per request to a protected route (docs/http-api.md, "Access control"). */
export interface AuditEntry {
  subject: string | null;
  keyId: string | null;
  via: 'jwt' | 'static' | null;
  orgId: string | null;
  action: Action | null;
  route: string;
  decision: 'allow' | 'deny';
  reason?: string;
  status?: number;
}

/**
 * Registered as the global guard of both apps: deny by default. A route is
 * served only if it is `@Public()` or declares its action with `@Requires`
 * and the caller's token allows that action on the route's org.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(AUDIT_LOG) private readonly audit: Pino,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // Kafka handlers are not HTTP routes
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const action = this.reflector.getAllAndOverride<Action | undefined>(ROUTE_ACTION, targets);
    const orgId = typeof request.params?.orgId === 'string' ? request.params.orgId : undefined;
    const entry: AuditEntry = {
      subject: null,
      keyId: keyIdOf(request.headers.authorization) ?? null,
      via: null,
      orgId: orgId ?? null,
      action: action ?? null,
      route: `${request.method} ${String((request.route as { path?: unknown })?.path ?? '?')}`,
      decision: 'deny',
    };
    http
      .getResponse<Response>()
      .once('finish', function (this: Response) {
        entry.status = this.statusCode;
      })
      .once('close', () => this.audit.info({ audit: entry }, `access ${entry.decision}`));
    if (!action) {
      entry.reason = 'the route declares no action';
      throw forbidden('this route declares no action, so it is refused');
    }
    try {
      const principal = await this.authenticator.authenticate(request.headers.authorization);
      Object.assign(entry, {
        subject: principal.subject,
        keyId: principal.keyId ?? null,
        via: principal.via,
      });
      const decision = decide(principal, action, orgId);
      if (!decision.allowed) {
        entry.reason = decision.reason;
        throw forbidden(decision.reason);
      }
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      entry.reason = error.message;
      throw new UnauthorizedException({
        statusCode: 401,
        error: 'Unauthorized',
        code: 'unauthorized',
        message: `${error.message} (Authorization: Bearer <signed token or the app's API token>)`,
      });
    }
    entry.decision = 'allow';
    return true;
  }
}

const forbidden = (message: string) =>
  new ForbiddenException({ statusCode: 403, error: 'Forbidden', code: 'forbidden', message });
