import { CliError, parseCliArgs } from './cli-args';

describe('okta-sim CLI arguments', () => {
  it('parses the documented flags, in both --flag value and --flag=value forms', () => {
    expect(
      parseCliArgs([
        '--port',
        '8080',
        '--users=500',
        '--seed',
        '3',
        '--token',
        't0k',
        '--latency-ms',
        '25',
        '--rate-limit',
        'users-list=10',
        '--rate-limit=logs=5',
      ]),
    ).toEqual({
      port: 8080,
      users: 500,
      seed: 3,
      token: 't0k',
      latencyMs: 25,
      rateLimits: { 'users-list': 10, logs: 5 },
    });
    expect(parseCliArgs([])).toEqual({});
  });

  it('takes --object-size small or realistic, nothing else', () => {
    expect(parseCliArgs(['--object-size', 'realistic'])).toEqual({ objectSize: 'realistic' });
    expect(() => parseCliArgs(['--object-size=huge'])).toThrow(/small or realistic/);
  });

  it.each([
    [['--users', 'many']],
    [['--rate-limit', 'nope=3']],
    [['--rate-limit', 'logs=x']],
    [['--token']],
    [['--wat']],
  ])('rejects %j', (argv) => {
    expect(() => parseCliArgs(argv)).toThrow(CliError);
  });
});
