import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  BeforeApplicationShutdown,
} from '@nestjs/common';
import { ConnectionsRepository } from './connections.repository';
import { AAD_VERSION, TokenVault, TokenVaultError } from './token-vault';

export interface RotationReport {
  resealed: number;
  /** Tokens no configured key opens: left as they are (a sync of that org fails and says so). */
  undecryptable: string[];
  /** Tokens per key id after the sweep; only the current key should remain. */
  remainingByKeyId: Record<string, number>;
  currentKeyId: string;
}

const BATCH = 100;

/**
 * Re-seals tokens sealed with an older key under the first (current) one, so
 * an old key can be retired, and tokens of the org-only AAD (v1) under the
 * org-and-origin one (v2): in the background at start-up (bounded batches)
 * and on demand (`npm run rotate-keys`). A customer's re-save in between wins.
 */
@Injectable()
export class KeyRotation implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(KeyRotation.name);
  private stopped = false;
  private sweep: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repository: ConnectionsRepository,
    private readonly vault: TokenVault,
  ) {}

  onApplicationBootstrap(): void {
    this.sweep = this.resealAll().then(
      (report) => {
        if (report.resealed || report.undecryptable.length)
          this.logger.log({ ...report, msg: 'tokens re-sealed with the current key' });
      },
      (error: unknown) =>
        this.logger.warn({
          err: String(error),
          msg: 'token re-seal sweep stopped; next start retries',
        }),
    );
  }

  /** Before the database closes (Nest runs every before-shutdown hook first). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.sweep;
  }

  async resealAll(): Promise<RotationReport> {
    const current = this.vault.currentKeyId;
    const undecryptable: string[] = [];
    let resealed = 0;
    while (!this.stopped) {
      const batch = await this.repository.sealedWithOtherKeys(
        current,
        AAD_VERSION,
        BATCH,
        undecryptable,
      );
      if (batch.length === 0) break;
      for (const { _id: orgId, baseUrl, token } of batch) {
        try {
          const binding = { orgId, baseUrl };
          const sealed = this.vault.seal(binding, this.vault.open(binding, token));
          if (await this.repository.replaceSealed(orgId, token, sealed)) resealed += 1;
        } catch (error) {
          if (!(error instanceof TokenVaultError)) throw error;
          undecryptable.push(orgId);
        }
      }
    }
    return {
      resealed,
      undecryptable,
      remainingByKeyId: await this.repository.countByKeyId(),
      currentKeyId: current,
    };
  }
}
