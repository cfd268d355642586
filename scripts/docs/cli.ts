import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { asyncApiYaml } from './asyncapi';
import { openApiDocuments } from './openapi';

/**
 * `npm run docs`: writes the machine-readable contracts from the code —
 * docs/openapi/<app>.json (both HTTP APIs) and docs/asyncapi.yaml (the Kafka
 * topics, from libs/contracts), the latter validated by @asyncapi/parser. With
 * `--check` it writes nothing and fails when a committed file differs from
 * what the code produces (lint).
 */
const ROOT = resolve(__dirname, '..', '..', '..');

/** Fails on any error-level diagnostic of the official AsyncAPI parser (schema and spec rules). */
async function validateAsyncApi(yaml: string): Promise<void> {
  const { diagnostics } = await new Parser().parse(yaml);
  const errors = diagnostics.filter((d) => d.severity === 0);
  if (errors.length > 0) {
    const lines = errors.map((d) => `  ${d.path.join('.')}: ${d.message}`).join('\n');
    throw new Error(`docs/asyncapi.yaml is not valid AsyncAPI:\n${lines}`);
  }
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const files: Record<string, string> = {};
  for (const [app, document] of Object.entries(await openApiDocuments()))
    files[join('docs', 'openapi', `${app}.json`)] = `${JSON.stringify(document, null, 2)}\n`;
  const asyncApi = asyncApiYaml();
  await validateAsyncApi(asyncApi);
  files[join('docs', 'asyncapi.yaml')] = asyncApi;
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
