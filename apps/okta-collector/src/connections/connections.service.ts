import { CURRENT_IDENTITY_VERSIONS } from '@regentra/contracts';
import {
  BadGatewayException,
  BadRequestException,
  HttpException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  UnprocessableEntityException,
  ConflictException,
} from '@nestjs/common';
import {
  OktaApiError,
  OktaClient,
  OktaCredentialsInvalidError,
  OktaDomainError,
  Secret,
} from '../okta-client';
import { CLOCK, Clock } from '../platform/clock';
import { EventPublisher } from '../kafka/event-publisher';
import { ConnectionDoc, ConnectionView } from './connection.types';
import { ConnectionEvents } from './connection-events';
import { ConnectionsRepository } from './connections.repository';
import { ConnectionTestResult, testConnection } from './connection-tester';
import { OktaClientFactory } from './okta-client.factory';
import { TokenBinding, TokenVault, TokenUndecryptableError, TokenVaultError } from './token-vault';

/** What a stored token is bound to: its org and the origin it is sent to. */
export const bindingOf = (connection: Pick<ConnectionDoc, '_id' | 'baseUrl'>): TokenBinding => ({
  orgId: connection._id,
  baseUrl: connection.baseUrl,
});

export interface ConnectionAnswer extends ConnectionTestResult {
  status: 'connected';
  /** What the customer typed (a custom domain, or the Okta org host). */
  domain: string;
  /** Where API calls go: the Okta org host (docs/okta.md, Domains). */
  apiHost: string;
}

/** What the customer typed, as a host (connections saved before it was kept: the API host). */
export const domainOf = (connection: Pick<ConnectionDoc, 'baseUrl' | 'domain'>): string =>
  connection.domain ?? new URL(connection.baseUrl).host;

/** A custom domain is an OktaDomainError of its own kind: the customer should see why. */
const CUSTOM_DOMAIN_REASONS = new Set(['custom-domain-not-okta-org', 'custom-domain-org-mismatch']);

const fail = (status: number, code: string, message: string): HttpException => {
  const body = { statusCode: status, code, message };
  if (status === 400) return new BadRequestException(body);
  if (status === 422) return new UnprocessableEntityException(body);
  if (status === 409) return new ConflictException(body);
  return new BadGatewayException(body);
};

/** Turns what Okta answered into a 4xx/5xx a customer understands (never with the token). */
function asHttpError(error: unknown): HttpException {
  if (error instanceof OktaDomainError)
    return CUSTOM_DOMAIN_REASONS.has(error.reason)
      ? fail(400, 'custom_domain_not_okta', error.message)
      : fail(400, 'invalid_domain', error.message);
  if (error instanceof TokenUndecryptableError)
    return fail(409, 'token_undecryptable', error.message);
  if (error instanceof OktaCredentialsInvalidError) {
    return fail(
      422,
      'okta_token_rejected',
      `Okta rejected the API token (${error.oktaErrorCode ?? '401'}): it may be mistyped, revoked, or expired after 30 days unused.`,
    );
  }
  // status 0: no HTTP answer at all (a connection error or the call deadline), not an Okta error
  if (error instanceof OktaApiError && error.status > 0) {
    return fail(
      502,
      'okta_error',
      `Okta answered HTTP ${error.status ?? '-'} ${error.oktaErrorCode ?? ''} (request id ${error.oktaRequestId ?? 'n/a'}).`.replace(
        '  ',
        ' ',
      ),
    );
  }
  return fail(502, 'okta_unreachable', 'Okta could not be reached at that domain.');
}

/** Save-and-test, re-test and forget a connection; the token goes into the vault only. */
@Injectable()
export class ConnectionsService {
  private readonly logger = new Logger(ConnectionsService.name);

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: ConnectionEvents,
    private readonly repository: ConnectionsRepository,
    private readonly clients: OktaClientFactory,
    private readonly publisher: EventPublisher,
    private readonly vault: TokenVault,
  ) {}

  get(orgId: string): Promise<ConnectionDoc | null> {
    return this.repository.get(orgId);
  }

  /** The connection without its sealed token (the status API). */
  getWithoutToken(orgId: string): Promise<ConnectionView | null> {
    return this.repository.getWithoutToken(orgId);
  }

  /** Every connection without its sealed token (the scheduler decides per state). */
  listAll(): Promise<ConnectionView[]> {
    return this.repository.listAll();
  }

  recordScheduleSkip(orgId: string, reason: string, at: Date): Promise<void> {
    return this.repository.recordScheduleSkip(orgId, reason, at);
  }

  /** Okta accepted the token at `at` (renews Okta's 30-day idle expiry, as recorded). */
  touchTokenUsed(orgId: string, at: Date): Promise<void> {
    return this.repository.touchTokenUsed(orgId, at);
  }

  /**
   * An Okta client for a stored connection: the token is opened here and never
   * leaves this slice. `onAccepted` runs on every 2xx answer.
   */
  /**
   * An Okta client for a sync. A token no configured key opens fails with
   * TokenUndecryptableError, and the connection's state says so (and says
   * connected again once it opens).
   */
  async openClient(connection: ConnectionDoc, onAccepted?: () => void): Promise<OktaClient> {
    const token = await this.openToken(connection);
    if (connection.state === 'token_undecryptable') {
      if (await this.repository.setDecryptable(connection._id, connection.generation, true, null))
        await this.announce(connection._id, 'connected', domainOf(connection));
    }
    return this.clients.create(new URL(connection.baseUrl), token, {
      orgId: connection._id,
      onAccepted,
    });
  }

  private async openToken(connection: ConnectionDoc): Promise<Secret> {
    try {
      return this.vault.open(bindingOf(connection), connection.token);
    } catch (error) {
      if (!(error instanceof TokenVaultError)) throw error;
      const undecryptable = new TokenUndecryptableError(connection._id, error);
      const changed = await this.repository.setDecryptable(
        connection._id,
        connection.generation,
        false,
        undecryptable.message,
      );
      if (changed)
        await this.announce(
          connection._id,
          'token_undecryptable',
          undefined,
          undecryptable.message,
        );
      throw undecryptable;
    }
  }

  async save(orgId: string, domain: string, apiToken: Secret): Promise<ConnectionAnswer> {
    const resolved = await this.clients.resolveDomain(domain).catch((error: unknown) => {
      throw asHttpError(error);
    });
    const baseUrl = resolved.apiBase;
    const result = await this.runTest(orgId, baseUrl, apiToken);
    if (resolved.oktaOrgId !== null && resolved.oktaOrgId !== result.oktaOrgId)
      throw asHttpError(
        new OktaDomainError(
          'custom-domain-org-mismatch',
          `${resolved.domain.host} claims Okta org ${resolved.oktaOrgId}, but ${baseUrl.host} answered ${result.oktaOrgId}; check the domain.`,
          resolved.domain.hostname,
        ),
      );
    const before = await this.repository.get(orgId);
    const now = this.clock.now();
    await this.repository.save({
      orgId,
      baseUrl: baseUrl.origin,
      domain: resolved.domain.host,
      token: this.vault.seal({ orgId, baseUrl: baseUrl.origin }, apiToken),
      state: 'connected',
      stateReason: null,
      ...result,
      savedAt: now,
      lastTestedAt: now,
      tokenLastUsedAt: now,
    });
    if (before) {
      // A running sync must not go on with the replaced domain or token; a
      // cursor of another domain is worthless.
      const change = {
        domainChanged:
          before.baseUrl !== baseUrl.origin || (before.oktaOrgId ?? null) !== result.oktaOrgId,
        tokenChanged: !this.sameToken(before, apiToken),
      };
      if (change.domainChanged || change.tokenChanged)
        await this.events.replaced(orgId, change, now);
    }
    await this.announce(orgId, 'connected', resolved.domain.host);
    this.logger.log({
      orgId,
      domain: resolved.domain.host,
      apiHost: baseUrl.host,
      oktaOrgId: result.oktaOrgId,
      readOnly: result.readOnly,
      msg: 'Okta connection saved',
    });
    return {
      status: 'connected',
      domain: resolved.domain.host,
      apiHost: baseUrl.host,
      ...result,
    };
  }

  async retest(orgId: string): Promise<ConnectionAnswer> {
    const connection = await this.repository.get(orgId);
    if (!connection)
      throw new NotFoundException({
        statusCode: 404,
        code: 'no_connection',
        message: `org ${orgId} has no Okta connection`,
      });
    const baseUrl = new URL(connection.baseUrl);
    try {
      const result = await this.runTest(orgId, baseUrl, await this.openToken(connection), true);
      const now = this.clock.now();
      await this.repository.recordTestPassed(orgId, connection.generation, result, now);
      if (connection.state !== 'connected')
        await this.announce(orgId, 'connected', domainOf(connection));
      return {
        status: 'connected',
        domain: domainOf(connection),
        apiHost: baseUrl.host,
        ...result,
      };
    } catch (error) {
      if (error instanceof OktaCredentialsInvalidError) {
        await this.markInvalid(
          orgId,
          connection.generation,
          'Okta rejected the stored token (401)',
        );
      }
      throw asHttpError(error);
    }
  }

  async remove(orgId: string): Promise<void> {
    const removed = await this.repository.remove(orgId);
    if (!removed)
      throw new NotFoundException({
        statusCode: 404,
        code: 'no_connection',
        message: `org ${orgId} has no Okta connection`,
      });
    await this.events.removed(orgId, this.clock.now());
    await this.announce(orgId, 'disconnected');
  }

  /**
   * Why a run using `connection` must stop, or null: the connection was
   * deleted, or saved again with another domain or token (a re-save of the
   * same domain and token changes nothing).
   */
  async replacedSince(connection: ConnectionDoc): Promise<string | null> {
    const current = await this.repository.get(connection._id);
    if (!current) return 'the Okta connection was deleted during this run';
    if (current.generation === connection.generation) return null;
    if (current.baseUrl !== connection.baseUrl)
      return 'the Okta connection was saved again with another domain during this run';
    // a token that opens with no key counts as replaced: the run holds one that no longer applies
    const opened = this.tryOpen(connection);
    return opened && this.sameToken(current, opened)
      ? null
      : 'the Okta connection was saved again with another token during this run';
  }

  /** Whether the stored connection holds this token (false when it cannot be opened). */
  private sameToken(stored: ConnectionDoc, token: Secret): boolean {
    return this.tryOpen(stored)?.reveal() === token.reveal();
  }

  private tryOpen(connection: ConnectionDoc): Secret | null {
    try {
      return this.vault.open(bindingOf(connection), connection.token);
    } catch {
      return null;
    }
  }

  async markInvalid(orgId: string, generation: number, reason: string): Promise<void> {
    if (await this.repository.markCredentialsInvalid(orgId, generation, reason, this.clock.now())) {
      await this.announce(orgId, 'credentials_invalid', undefined, reason);
    }
  }

  private async runTest(
    orgId: string,
    baseUrl: URL,
    token: Secret,
    rethrowRaw = false,
  ): Promise<ConnectionTestResult> {
    const client: OktaClient = this.clients.create(baseUrl, token, { orgId });
    try {
      return await testConnection(client);
    } catch (error) {
      if (rethrowRaw) throw error;
      throw asHttpError(error);
    } finally {
      await client.close();
    }
  }

  private async announce(
    orgId: string,
    state: 'connected' | 'credentials_invalid' | 'token_undecryptable' | 'disconnected',
    oktaDomain?: string,
    message?: string,
  ): Promise<void> {
    await this.publisher.publish('identity', [
      {
        type: 'ConnectionStateChanged',
        schemaVersion: CURRENT_IDENTITY_VERSIONS.ConnectionStateChanged,
        orgId,
        payload: {
          state,
          changedAt: this.clock.now().toISOString(),
          ...(oktaDomain ? { oktaDomain } : {}),
          ...(message ? { message } : {}),
        },
      },
    ]);
  }
}
