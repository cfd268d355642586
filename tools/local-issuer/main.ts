import { parseArgs } from 'node:util';
import { ACTIONS, isAction } from '@regentra/http-auth';
import { localAuthDir, localSigningKey, mintToken } from './local-issuer';

const USAGE = `npm run token -- --org <orgId|*> [--org …] --scope <action>[,<action>…]
                  [--aud okta-collector|evidence-projector] [--ttl <seconds>] [--sub <who>]
Mints a short-lived token signed with the local key of \`npm start\` (${localAuthDir(process.env.REGENTRA_AUTH_DIR)}).
Actions: ${ACTIONS.join(', ')}. Default audience: evidence-projector for evidence:read
alone, okta-collector otherwise.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      org: { type: 'string', multiple: true },
      scope: { type: 'string', multiple: true },
      aud: { type: 'string' },
      ttl: { type: 'string', default: '900' },
      sub: { type: 'string', default: process.env.USER ?? 'local-user' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const orgs = (values.org ?? []).flatMap((org) => org.split(',')).filter(Boolean);
  const scope = (values.scope ?? []).flatMap((s) => s.split(/[, ]/)).filter(Boolean);
  const unknown = scope.filter((action) => !isAction(action));
  const ttl = Number(values.ttl);
  const problem =
    orgs.length === 0
      ? '--org is required'
      : scope.length === 0
        ? '--scope is required'
        : unknown.length
          ? `unknown action ${unknown.join(', ')}`
          : !Number.isInteger(ttl) || ttl < 1
            ? '--ttl must be a whole number of seconds'
            : undefined;
  if (problem) {
    process.stderr.write(`token: ${problem}\n${USAGE}\n`);
    process.exit(64);
  }
  const actions = scope.filter(isAction);
  const audience =
    values.aud ??
    (actions.every((action) => action === 'evidence:read')
      ? 'evidence-projector'
      : 'okta-collector');
  const key = await localSigningKey(localAuthDir(process.env.REGENTRA_AUTH_DIR));
  const token = await mintToken(key, {
    orgs: orgs.includes('*') ? '*' : orgs,
    scope: actions,
    audience,
    subject: values.sub,
    ttlS: ttl,
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
