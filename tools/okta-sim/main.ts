/**
 * `node dist/test/okta-sim/main.js --port 8080 --users 500 --seed 1`: the
 * simulator as a process (the demo org, benchmarks). Prints one line with its
 * URL and token (a fake org's token) and stops cleanly on SIGTERM/SIGINT.
 */
import { CLI_USAGE, CliError, parseCliArgs } from './cli-args';
import { startOktaSim } from './index';

async function main(): Promise<void> {
  let opts;
  try {
    opts = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    const help = error.message === 'help';
    process.stderr.write(`${help ? '' : `okta-sim: ${error.message}\n`}${CLI_USAGE}\n`);
    process.exit(help ? 0 : 64);
  }
  const sim = await startOktaSim(opts);
  const users = sim.org.users.length;
  process.stdout.write(
    `okta-sim listening on ${sim.url} (users=${users} seed=${opts.seed ?? 1}) token=${sim.token}\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`okta-sim: ${signal}, closing\n`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`okta-sim: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
