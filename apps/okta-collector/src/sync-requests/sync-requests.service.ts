import { Injectable, OnModuleInit } from '@nestjs/common';
import { SyncScope } from '@regentra/contracts';
import { ConnectionEvents, ConnectionListener } from '../connections/connection-events';
import { RequestClaim, SyncRequestDoc, SyncRequestState } from './sync-request.types';
import { SyncRequestsRepository } from './sync-requests.repository';

/** The inbox as other slices reach it: named operations only, never its collection. */
@Injectable()
export class SyncRequestsService implements ConnectionListener, OnModuleInit {
  constructor(
    private readonly inbox: SyncRequestsRepository,
    private readonly connectionEvents: ConnectionEvents,
  ) {}

  onModuleInit(): void {
    this.connectionEvents.subscribe(this);
  }

  findById(requestId: string): Promise<SyncRequestDoc | null> {
    return this.inbox.findById(requestId);
  }

  /** Orgs with queued requests this instance runs: those of the command partitions it owns. */
  orgsWithQueued(partitions: readonly number[]): Promise<string[]> {
    return this.inbox.orgsWithQueued(partitions);
  }

  countByOrg(state: SyncRequestState): Promise<Map<string, number>> {
    return this.inbox.countByOrg(state);
  }

  countQueued(orgId: string): Promise<number> {
    return this.inbox.countQueued(orgId);
  }

  claimQueued(orgId: string, now: Date, claim: RequestClaim): Promise<SyncRequestDoc[]> {
    return this.inbox.claimQueued(orgId, now, claim);
  }

  finish(
    requestIds: string[],
    state: SyncRequestState,
    note: string,
    syncIds: string[],
    now: Date,
    claim: RequestClaim,
  ): Promise<void> {
    return this.inbox.finish(requestIds, state, note, syncIds, now, claim);
  }

  markSatisfied(
    orgId: string,
    scopes: SyncScope[],
    startedAt: Date,
    syncIds: string[],
    now: Date,
  ): Promise<void> {
    return this.inbox.markSatisfied(orgId, scopes, startedAt, syncIds, now);
  }

  orgsWithRunning(): Promise<string[]> {
    return this.inbox.orgsWithRunning();
  }

  /** A dead collector's claimed requests run again (see the repository). */
  requeueInterrupted(
    orgId: string,
    maxInterruptions: number,
    now: Date,
  ): Promise<{ requeued: number; failed: number }> {
    return this.inbox.requeueInterrupted(orgId, maxInterruptions, now);
  }

  /** Requests a stopped instance claimed go back to the inbox, to run again (see `requeue`). */
  requeue(requestIds: string[], note: string, now: Date, claim: RequestClaim): Promise<void> {
    return this.inbox.requeue(requestIds, note, now, claim);
  }

  /** A deleted connection leaves nothing queued for its org. */
  connectionRemoved(orgId: string, at: Date): Promise<void> {
    return this.inbox.skipQueued(orgId, 'connection deleted', at);
  }
}
