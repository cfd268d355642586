import { projectorConfig, startProjector, StartedApp } from '../../../../test/support/apps';
import { testKafka } from '../../../../test/support/kafka-helpers';
import { isolation } from '../../../../test/support/test-env';
import { eventually } from '../../../../test/support/wait';
import { StagingRepository } from './staging.repository';

jest.setTimeout(120_000);

/**
 * A projector that cached a sync's pages in memory must forget them when its
 * consumer group rebalances: partitions may move to another instance, which
 * then stages pages this one never sees. Driven with a real second member
 * joining the group on the real broker.
 */
describe('staging cache across a real consumer-group rebalance', () => {
  const iso = isolation('rebalance');
  let first: StartedApp | undefined;
  let second: StartedApp | undefined;

  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('forgets the in-memory pages when a second instance joins the group', async () => {
    first = await startProjector(projectorConfig(iso));
    const staging = first.app.get(StagingRepository);
    // the first member's own join clears the cache too: cache only once it is a stable member
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await eventually(
        async () => {
          const { groups } = await admin.describeGroups([projectorConfig(iso).PROJECTOR_GROUP_ID]);
          const group = groups[0];
          return group?.state === 'Stable' && group.members.length === 1 ? true : undefined;
        },
        'first member stable in the group',
        60_000,
        200,
      );
    } finally {
      await admin.disconnect();
    }
    staging.beginCache('org-r', 'sync-r');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(staging.isCached('org-r', 'sync-r')).toBe(true); // nothing clears it on its own
    second = await startProjector(projectorConfig(iso)); // same group id: a rebalance
    await eventually(
      async () => (staging.isCached('org-r', 'sync-r') ? undefined : true),
      'cache forgotten after the rebalance',
      30_000,
      200,
    );
    expect(staging.isCached('org-r', 'sync-r')).toBe(false);
  });
});
