import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import { ApiErrors } from '@regentra/http-api';
import type { Action } from './actions';

export const PUBLIC_ROUTE = 'regentra:public-route';
export const ROUTE_ACTION = 'regentra:route-action';

/**
 * The one place a route is marked open (health, metrics). Every other route
 * is refused unless it declares its action with `@Requires`.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);

/**
 * The action a route needs (checked by AccessGuard against the token's
 * `scope`, and its `:orgId` against the token's `orgs`); documented in
 * OpenAPI as `x-required-action` with both auth schemes and the 401/403.
 */
export function Requires(action: Action): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ROUTE_ACTION, action),
    ApiBearerAuth('jwt'),
    ApiBearerAuth('bearer'),
    ApiExtension('x-required-action', action),
    ApiErrors({ 401: ['unauthorized'], 403: ['forbidden'] }),
  );
}
