import {
  projectorConfig,
  projectorGet,
  startProjector,
  StartedApp,
} from '../../../../test/support/apps';
import { readWholeSnapshot } from '../../../../test/support/snapshots';
import { isolation } from '../../../../test/support/test-env';
import { EvidenceService } from './evidence.service';
import { computeEvidence } from './rules/evidence';
import { app, everyone, factor, group, orgState, user } from './rules/org-state.testing';

/**
 * The CSV item lists, read back: a strict RFC 4180 parse of each file equals
 * the same list in the JSON API, for the current evidence and for a snapshot,
 * over a list that spans several stored item pages (so the stream really goes
 * page by page), with customer text that needs quoting and the formula guard.
 */
const ORG = 'org-csv';
const SYNC = 'sync-csv-1';
const AS_OF = '2026-02-01T00:00:00.000Z';
const USERS = 2_400; // > 2 item pages of 1,000

/** RFC 4180: quoted fields may hold commas, quotes ("") and line breaks; records end in CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endRow = () => {
    row.push(cell);
    rows.push(row);
    row = [];
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const next = text[i + 1];
    if (quoted && ch === '"' && next === '"') {
      cell += '"';
      i++;
    } else if (quoted && ch === '"') {
      quoted = false;
    } else if (quoted) {
      cell += ch;
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && next === '\n') {
      endRow();
      i++;
    } else {
      cell += ch;
    }
  }
  if (cell !== '' || row.length > 0) throw new Error('the last record does not end in CRLF');
  return rows;
}

/** Splits a file into its `# key: value` header and the parsed rows (columns first). */
function readCsv(text: string) {
  const lines = text.split('\r\n');
  const header: Record<string, string> = {};
  let body = 0;
  for (const line of lines) {
    const match = /^# ([^:]+): (.*)$/.exec(line);
    if (!match) break;
    header[match[1] as string] = match[2] as string;
    body += line.length + 2;
  }
  const [columns = [], ...rows] = parseCsv(text.slice(body));
  return { header, columns, rows };
}

/** What a cell must say for a JSON value (docs/http-api.md: CSV for auditors). */
function expectedCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function expectCsvEqualsJson(csv: ReturnType<typeof readCsv>, items: Record<string, unknown>[]) {
  expect(csv.rows).toHaveLength(items.length);
  expect(new Set(csv.columns)).toEqual(new Set(items.flatMap((item) => Object.keys(item))));
  csv.rows.forEach((row, i) => {
    const item = items[i] as Record<string, unknown>;
    expect(Object.fromEntries(csv.columns.map((c, k) => [c, row[k]]))).toEqual(
      Object.fromEntries(csv.columns.map((c) => [c, expectedCell(item[c])])),
    );
  });
}

let projector: StartedApp;

async function getText(path: string) {
  const response = await projectorGet(projector.url, path);
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    text: await response.text(),
  };
}

async function getJson(path: string) {
  return (await (await projectorGet(projector.url, path)).json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

beforeAll(async () => {
  projector = await startProjector(projectorConfig(isolation('evidence-csv')));
  const evidence = computeEvidence(
    orgState({
      orgId: ORG,
      syncId: SYNC,
      asOf: AS_OF,
      groups: [everyone(), group('g-1', { name: 'Finance, "core" team\r\nEMEA' })],
      apps: [app('a-1', { label: '=HYPERLINK("http://x")' })],
      users: Array.from({ length: USERS }, (_, i) =>
        user(`00u${String(i).padStart(6, '0')}`, {
          // commas, quotes, a line break, edge spaces and a formula in customer text
          login:
            i === 0 ? '=cmd|calc' : i === 1 ? ' spaced, "quoted" \nuser ' : `u${i}@example.com`,
          email: i % 7 === 0 ? null : `u${i}@example.com`,
          factors: { status: 'read', items: i % 3 === 0 ? [] : [factor('push')] },
          groupIds: ['g-everyone', 'g-1'],
          appAssignments: [{ appId: 'a-1', scope: 'USER', status: null }],
        }),
      ),
    }),
  );
  await projector.app
    .get(EvidenceService)
    .write(
      { evidence, logsThrough: null },
      { syncId: SYNC, asOf: AS_OF, evidence },
      new Date(AS_OF),
    );
});

afterAll(async () => {
  await projector?.close();
});

describe('CSV item lists for auditors', () => {
  it('serve a current list, spanning several item pages, equal to the JSON', async () => {
    const json = await getJson(`/v1/orgs/${ORG}/evidence/authentication?limit=1000`);
    expect(json.page.totals.activeUsers).toBeGreaterThan(2_000);
    const activeUsers: Record<string, unknown>[] = [];
    for (let offset = 0; offset < json.page.totals.activeUsers; offset += 1000) {
      const page = await getJson(
        `/v1/orgs/${ORG}/evidence/authentication?offset=${offset}&limit=1000`,
      );
      activeUsers.push(...page.items.activeUsers);
    }
    const file = await getText(`/v1/orgs/${ORG}/evidence/authentication/items/activeUsers.csv`);
    expect(file.status).toBe(200);
    expect(file.type).toBe('text/csv; charset=utf-8');
    const csv = readCsv(file.text);
    const snapshots = await getJson(`/v1/orgs/${ORG}/evidence/authentication/snapshots`);
    expect(csv.header).toEqual({
      control: 'authentication',
      list: 'activeUsers',
      orgId: ORG,
      evidence: 'current',
      syncId: SYNC,
      asOf: AS_OF,
      logsThrough: '',
      snapshotHash: snapshots.snapshots[0].hash,
    });
    expectCsvEqualsJson(csv, activeUsers);
    // the quoting and the formula guard were exercised
    expect(file.text).toContain(",'=cmd|calc,");
    expect(file.text).toContain('" spaced, ""quoted"" \nuser "');
  });

  it('serve a snapshot list equal to the snapshot in the JSON, with its hash', async () => {
    const snapshot = await readWholeSnapshot(projector.url, {
      orgId: ORG,
      control: 'least-privilege',
      syncId: SYNC,
    });
    for (const list of ['groupMemberships', 'appAssignments']) {
      const file = await getText(
        `/v1/orgs/${ORG}/evidence/least-privilege/snapshots/${SYNC}/items/${list}.csv`,
      );
      expect(file.status).toBe(200);
      const csv = readCsv(file.text);
      expect(csv.header).toMatchObject({
        evidence: 'snapshot',
        syncId: SYNC,
        snapshotHash: snapshot.hash,
      });
      expect(snapshot.evidence.items[list]!.length).toBeGreaterThan(0);
      expectCsvEqualsJson(csv, snapshot.evidence.items[list] as Array<Record<string, unknown>>);
    }
  });

  it('answer a list, evidence or snapshot that does not exist with a coded 404', async () => {
    const missing = [
      [`/v1/orgs/${ORG}/evidence/authentication/items/nothingHere.csv`, 'unknown_list'],
      [`/v1/orgs/org-none/evidence/authentication/items/withoutMfa.csv`, 'no_evidence'],
      [
        `/v1/orgs/${ORG}/evidence/authentication/snapshots/sync-x/items/withoutMfa.csv`,
        'no_snapshot',
      ],
    ];
    for (const [path, code] of missing) {
      const file = await getText(path as string);
      expect({ status: file.status, code: JSON.parse(file.text).code }).toEqual({
        status: 404,
        code,
      });
    }
    const bad = await getText(`/v1/orgs/${ORG}/evidence/authentication/items/with-dash.csv`);
    expect({ status: bad.status, code: JSON.parse(bad.text).code }).toEqual({
      status: 400,
      code: 'invalid_list',
    });
    expect(
      (
        await projectorGet(
          projector.url,
          `/v1/orgs/${ORG}/evidence/authentication/items/activeUsers.csv`,
          null,
        )
      ).status,
    ).toBe(401);
  });
});
