import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Jwks } from '../signing/signing-keys';
import { NamedExport, verifyChain } from './chain-verification';
import { CONTROL_IDS } from './rules/controls.registry';
import { SnapshotExport, SnapshotExportSchema } from './snapshot-export';

export const CHAIN_USAGE =
  `usage: npm run verify-snapshot -- --chain --org <orgId> --control <${CONTROL_IDS.join('|')}> ` +
  '--jwks <jwks.json> <export.json|folder>…\n';

const JwksSchema = z.object({
  keys: z.array(
    z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), kid: z.string() }),
  ),
});

interface ChainArgs {
  orgId: string;
  control: string;
  jwks: string;
  files: string[];
}

function parseArgs(argv: readonly string[]): ChainArgs | null {
  const named: Record<string, string> = {};
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--chain') continue;
    if (['--org', '--control', '--jwks'].includes(arg)) {
      const value = argv[++i];
      if (value === undefined) return null;
      named[arg.slice(2)] = value;
    } else if (arg.startsWith('--')) return null;
    else files.push(arg);
  }
  const { org, control, jwks } = named;
  if (!org || !control || !jwks || files.length === 0) return null;
  if (!(CONTROL_IDS as readonly string[]).includes(control)) return null;
  return { orgId: org, control, jwks, files };
}

/** The export files named: each file, and every `.json` file of each folder. */
function exportFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((name) => name.endsWith('.json'))
          .sort()
          .map((name) => join(path, name))
      : [path],
  );
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

/**
 * `verify-snapshot --chain`: verifies exports (`GET …/snapshots/:syncId/export`)
 * of one org × control offline against a saved JWKS (docs/read-models.md,
 * "Verifying offline"). Prints `match` and the chain (exit 0), or one
 * `mismatch <what broke>: …` line per problem (exit 1); 2 when it cannot tell.
 */
export async function verifyChainCli(
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const args = parseArgs(argv);
  if (!args) {
    err(CHAIN_USAGE);
    return 2;
  }
  const jwks = JwksSchema.safeParse(readJson(args.jwks));
  if (!jwks.success) {
    err(`verify-snapshot: ${args.jwks} is not a JWKS of Ed25519 keys\n`);
    return 2;
  }
  const exports: NamedExport[] = [];
  for (const file of exportFiles(args.files)) {
    const parsed = SnapshotExportSchema.safeParse(readJson(file));
    if (!parsed.success) {
      const at = parsed.error.issues[0];
      out(`mismatch malformed export: ${file}: ${at?.path.join('.') ?? ''} ${at?.message ?? ''}\n`);
      return 1;
    }
    exports.push({ file, content: parsed.data as SnapshotExport });
  }
  const subject = { orgId: args.orgId, control: args.control };
  const verdict = await verifyChain(exports, subject, jwks.data as Jwks);
  if (verdict.problems.length) {
    for (const p of verdict.problems) out(`mismatch ${p.kind}: ${p.detail}\n`);
    return 1;
  }
  const last = verdict.chain[verdict.chain.length - 1]!;
  const kids = [...new Set(verdict.chain.map((c) => c.kid))].join(', ');
  out(
    `match chain of ${verdict.chain.length} snapshot(s) of org ${args.orgId} ${args.control}, ` +
      `positions 1–${last.position}, newest sync ${last.syncId} ${last.hash}, keys ${kids}\n`,
  );
  return 0;
}
