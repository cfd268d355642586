import { EventPublisher } from '../kafka/event-publisher';
import { SyncEventWriter } from '../identity-sync/sync-event-writer';
import { RunStoppedError, RunStopSignal } from './run-stop';

describe('a run stop signal', () => {
  it('tells every listener once, keeps the first reason, and tells late listeners at once', () => {
    const stop = new RunStopSignal();
    const heard: string[] = [];
    const unsubscribed = stop.onStop((r) => heard.push(`a:${r.reason}`));
    stop.onStop((r) => heard.push(`b:${r.reason}`));
    unsubscribed();
    expect(stop.requested).toBeNull();
    stop.stop('cancelled', 'connection deleted');
    stop.stop('shutdown', 'later reasons lose');
    stop.onStop((r) => heard.push(`c:${r.reason}`));
    expect(heard).toEqual(['b:cancelled', 'c:cancelled']);
    expect(stop.requested).toEqual({ reason: 'cancelled', message: 'connection deleted' });
  });

  it('makes the sync writer refuse every record but the outcome event once raised', async () => {
    const sent: string[] = [];
    const publisher = {
      publish: async (_topic: string, drafts: Array<{ type: string }>) => {
        for (const draft of drafts) sent.push(draft.type);
      },
    } as unknown as EventPublisher;
    const stop = new RunStopSignal();
    const writer = new SyncEventWriter(publisher, 'org-1', 'sync-1', 1, async () => true, stop);
    await writer.emit('IdentitySyncProgress', { phase: 'users', done: { users: 1 } });
    stop.stop('shutdown', 'instance stopping');
    await expect(
      writer.emit('IdentitySyncProgress', { phase: 'users', done: { users: 2 } }),
    ).rejects.toBeInstanceOf(RunStoppedError);
    await writer.emit('IdentitySyncFailed', {
      requestId: 'r1',
      failedAt: new Date(0).toISOString(),
      reason: 'shutdown',
      retryable: true,
      message: 'instance stopping',
    });
    expect(sent).toEqual(['IdentitySyncProgress', 'IdentitySyncFailed']);
  });
});
