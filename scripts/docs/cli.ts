import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { openApiDocuments } from './openapi';

/**
 * `npm run docs`: writes the machine-readable contracts from the code —
 * docs/openapi/<app>.json (both HTTP APIs). With `--check` it writes nothing
 * and fails when a committed file differs from what the code produces (lint).
 */
const ROOT = resolve(__dirname, '..', '..', '..');

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const files: Record<string, string> = {};
  for (const [app, document] of Object.entries(await openApiDocuments()))
    files[join('docs', 'openapi', `${app}.json`)] = `${JSON.stringify(document, null, 2)}\n`;
  const stale: string[] = [];
  for (const [path, text] of Object.entries(files)) {
    const full = join(ROOT, path);
    if (check) {
      let committed = '';
      try {
        committed = readFileSync(full, 'utf8');
      } catch {
        // missing counts as stale
      }
      if (committed !== text) stale.push(path);
    } else {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
      process.stdout.write(`docs: wrote ${path}\n`);
    }
  }
  if (stale.length > 0) {
    process.stderr.write(
      `docs: ${stale.join(', ')} differ from what the code produces: run \`npm run docs\` and commit the result\n`,
    );
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `docs: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
