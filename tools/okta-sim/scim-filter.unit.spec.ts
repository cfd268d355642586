import { compileFilter, FilterError, tableSchema } from './scim-filter';

interface Row {
  status: string;
  login: string;
  updated: string;
  tags: string[];
}

const schema = tableSchema<Row>({
  status: { kind: 'string', ops: ['eq', 'ne'], get: (r) => r.status },
  'profile.login': { kind: 'caseless', ops: ['eq', 'sw'], get: (r) => r.login },
  lastUpdated: { kind: 'date', ops: ['gt', 'ge', 'lt', 'le', 'eq'], get: (r) => r.updated },
  'target.id': { kind: 'string', ops: ['eq'], get: (r) => r.tags },
});

const rows: Row[] = [
  { status: 'ACTIVE', login: 'Ann@x', updated: '2024-01-01T00:00:00.000Z', tags: ['a'] },
  { status: 'SUSPENDED', login: 'bob@x', updated: '2024-06-01T00:00:00.000Z', tags: ['b', 'c'] },
  { status: 'DEPROVISIONED', login: 'cy@x', updated: '2025-01-01T00:00:00.000Z', tags: [] },
];

function select(expression: string): string[] {
  const predicate = compileFilter(expression, schema);
  return rows.filter(predicate).map((r) => r.status);
}

describe('SCIM filter expressions', () => {
  it.each([
    ['status eq "ACTIVE"', ['ACTIVE']],
    ['status eq "ACTIVE" or status eq "DEPROVISIONED"', ['ACTIVE', 'DEPROVISIONED']],
    ['status ne "ACTIVE" and lastUpdated lt "2024-12-31T00:00:00Z"', ['SUSPENDED']],
    [
      'status eq "ACTIVE" or status eq "SUSPENDED" and lastUpdated gt "2024-03-01T00:00:00.000Z"',
      ['ACTIVE', 'SUSPENDED'],
    ],
    [
      '(status eq "ACTIVE" or status eq "SUSPENDED") and lastUpdated gt "2024-03-01T00:00:00.000Z"',
      ['SUSPENDED'],
    ],
    ['profile.login eq "ann@X"', ['ACTIVE']],
    ['profile.login sw "B"', ['SUSPENDED']],
    ['target.id eq "c"', ['SUSPENDED']],
    ['not (status eq "ACTIVE")', ['SUSPENDED', 'DEPROVISIONED']],
    ['lastUpdated ge "2025-01-01T00:00:00.000Z"', ['DEPROVISIONED']],
  ])('%s', (expression, expected) => {
    expect(select(expression)).toEqual(expected);
  });

  it.each([
    'status',
    'status eq',
    'status eq ACTIVE',
    'status gt "A"',
    'nickName eq "x"',
    '(status eq "A"',
    'status eq "A" or',
    'lastUpdated gt "yesterday"',
    '',
  ])('rejects %j', (expression) => {
    expect(() => compileFilter(expression, schema)).toThrow(FilterError);
  });
});
