import { Inject, Injectable, Logger } from '@nestjs/common';
import { COLLECTOR_CONFIG, CollectorConfig } from '../config/collector.config';
import { OktaClient, OktaDomainResolution, resolveOktaDomain, Secret } from '../okta-client';
import { COLLECTOR_METRICS, CollectorMetrics } from '../platform/metrics';
import { RateBudgetService } from '../rate-budget/rate-budget.service';

/** Builds Okta clients for connections: config, logging and metrics wired in one place. */
@Injectable()
export class OktaClientFactory {
  private readonly logger = new Logger('okta-client');

  constructor(
    @Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig,
    @Inject(COLLECTOR_METRICS) private readonly metrics: CollectorMetrics,
    private readonly budgets: RateBudgetService,
  ) {}

  /**
   * Validates what a customer typed (https, Okta or a verified custom domain;
   * SSRF guard) and says where API calls go (docs/okta.md, Domains).
   */
  resolveDomain(domain: string): Promise<OktaDomainResolution> {
    return resolveOktaDomain(domain, {
      allowInsecureHosts: this.config.OKTA_ALLOW_INSECURE_HOSTS,
      insecureCustomDomains: this.config.OKTA_INSECURE_CUSTOM_DOMAINS,
    });
  }

  /**
   * A client for one org: its calls spend the org's shared rate budget
   * (OKTA_RATE_BUDGET); `onAccepted` runs on every 2xx answer.
   */
  create(
    baseUrl: URL,
    token: Secret,
    { orgId, onAccepted }: { orgId: string; onAccepted?: (() => void) | undefined },
  ): OktaClient {
    const budget = this.budgets.forOrg(orgId);
    return new OktaClient({
      ...(budget ? { budget } : {}),
      baseUrl,
      token,
      concurrency: this.config.OKTA_CONCURRENCY,
      maxShare: this.config.OKTA_RATE_LIMIT_SHARE,
      timeouts: { callMs: this.config.OKTA_CALL_DEADLINE_MS },
      maxResponseBytes: this.config.OKTA_MAX_RESPONSE_BYTES,
      maxPagesPerListing: this.config.OKTA_MAX_PAGES_PER_LISTING,
      retry: { maxRateLimitWaitMs: this.config.OKTA_MAX_RATE_LIMIT_WAIT_MS },
      allowInsecureHosts: this.config.OKTA_ALLOW_INSECURE_HOSTS,
      logger: {
        debug: (obj, msg) => this.logger.debug({ ...obj, msg }),
        info: (obj, msg) => this.logger.log({ ...obj, msg }),
        warn: (obj, msg) => this.logger.warn({ ...obj, msg }),
      },
      onResponse: (event) => {
        this.metrics.oktaRequests.inc({ bucket: event.bucket, status: String(event.status) });
        this.metrics.oktaLatency.observe({ bucket: event.bucket }, event.durationMs / 1000);
        if (event.status >= 200 && event.status < 300 && onAccepted) onAccepted();
      },
    });
  }
}
