import { deadLetterRecord } from '@regentra/contracts';
import { defaultTopicPolicy, topicConfig, topicConfigWarnings } from './topics';

describe('topic policy', () => {
  const policy = defaultTopicPolicy(512 * 1024);

  it('keeps history on the identity, System Log and changes topics, a finite retention elsewhere', () => {
    expect(topicConfig('identity', policy)['retention.ms']).toBe('-1');
    expect(topicConfig('systemLog', policy)['retention.ms']).toBe('-1');
    expect(topicConfig('changes', policy)['retention.ms']).toBe('-1');
    expect(Number(topicConfig('commands', policy)['retention.ms'])).toBeGreaterThan(0);
    expect(Number(topicConfig('deadLetter', policy)['retention.ms'])).toBeGreaterThan(0);
  });

  it('allows records a little larger than the largest value (key, headers, framing)', () => {
    expect(Number(topicConfig('identity', policy)['max.message.bytes'])).toBeGreaterThan(
      512 * 1024,
    );
    expect(Number(topicConfig('identity', policy)['max.message.bytes'])).toBeLessThan(1024 * 1024);
  });

  it('takes a dead letter of the largest record whole, even base64-encoded', () => {
    const largest = Buffer.alloc(policy.maxMessageBytes, 0xff); // not utf8: kept as base64
    const letter = deadLetterRecord({
      reason: 'r'.repeat(5_000),
      rejectedBy: 'evidence-projector',
      topic: 'okta.identity.v1',
      partition: 0,
      offset: '1',
      key: 'org-1',
      value: largest,
    });
    const bytes = Buffer.byteLength(letter.value) + Buffer.byteLength(letter.key);
    expect(bytes).toBeGreaterThan(policy.maxMessageBytes);
    expect(bytes).toBeLessThanOrEqual(
      Number(topicConfig('deadLetter', policy)['max.message.bytes']),
    );
  });

  it('warns, naming the topic and the setting, when an existing topic would lose history', () => {
    const sevenDays = String(7 * 24 * 3600 * 1000);
    const warnings = topicConfigWarnings('okta.identity.v1', 'identity', policy, {
      'retention.ms': sevenDays,
      'max.message.bytes': String(policy.maxMessageBytes),
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/okta\.identity\.v1.*retention\.ms=604800000.*replay/);
  });

  it('does not warn about a history topic that keeps everything, nor a longer finite retention', () => {
    expect(topicConfigWarnings('t', 'identity', policy, { 'retention.ms': '-1' })).toEqual([]);
    expect(
      topicConfigWarnings('c', 'commands', policy, {
        'retention.ms': String(policy.transientRetentionMs * 2),
      }),
    ).toEqual([]);
    expect(topicConfigWarnings('c', 'commands', policy, { 'retention.ms': '-1' })).toEqual([]);
  });

  it('warns when a topic refuses records as large as ours', () => {
    const warnings = topicConfigWarnings('okta.system-log.v1', 'systemLog', policy, {
      'retention.ms': '-1',
      'max.message.bytes': '100000',
    });
    expect(warnings).toEqual([
      expect.stringMatching(/okta\.system-log\.v1.*max\.message\.bytes=100000/),
    ]);
  });

  it('warns when the changes topic would lose the history analytics replay', () => {
    const warnings = topicConfigWarnings('okta.changes.v1', 'changes', policy, {
      'retention.ms': String(7 * 24 * 3600 * 1000),
    });
    expect(warnings).toEqual([expect.stringMatching(/okta\.changes\.v1.*retention\.ms.*replay/)]);
  });
});
