import { kafkaLogLevel } from './client';

describe('kafkaLogLevel', () => {
  it('turns the error kafkajs logs for a broker response it retries into debug', () => {
    expect(kafkaLogLevel('error', 'Response GroupCoordinator(key: 10, version: 2)')).toBe('debug');
    expect(kafkaLogLevel('error', 'Response InitProducerId(key: 22, version: 1)')).toBe('debug');
  });

  it('keeps every other error, and warnings that are not about our own settings', () => {
    expect(kafkaLogLevel('error', 'Crash: KafkaJSNumberOfRetriesExceeded')).toBe('error');
    expect(kafkaLogLevel('error', 'Connection error: connect ECONNREFUSED')).toBe('error');
    expect(kafkaLogLevel('warn', 'Consumer group is rebalancing')).toBe('warn');
  });

  it('quiets the warnings about the partitioner and capped idempotent retries (chosen on purpose)', () => {
    expect(kafkaLogLevel('warn', 'KafkaJS v2.0.0 switched default partitioner. To retain …')).toBe(
      'debug',
    );
    expect(
      kafkaLogLevel(
        'warn',
        'Limiting retries for the idempotent producer may invalidate EoS guarantees',
      ),
    ).toBe('debug');
  });
});
