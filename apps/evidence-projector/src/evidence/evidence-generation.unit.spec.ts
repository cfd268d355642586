import { checkIfMatch, etagOf, generationOf, ifMatchAllows } from './evidence-generation';

const doc = (generation: string | null) => ({
  orgId: 'org-1',
  control: 'access-review' as const,
  projectedAt: new Date('2026-01-01T00:00:00.000Z'),
  ...(generation ? { itemPages: { generation, lists: {} } } : {}),
});

describe('evidence generations (If-Match on the current evidence)', () => {
  it('given item pages, when tagged, then the tag is their generation, quoted', () => {
    expect(generationOf(doc('abc'))).toBe('abc');
    expect(etagOf(doc('abc'))).toBe('"abc"');
  });

  it('given a document written before item pages, when tagged, then its projection time names it', () => {
    expect(generationOf(doc(null))).toBe(`inline-${Date.parse('2026-01-01T00:00:00.000Z')}`);
  });

  it('given no If-Match, an empty one or *, when checked, then any generation is allowed', () => {
    for (const header of [undefined, '', ' * ']) expect(ifMatchAllows(header, 'abc')).toBe(true);
  });

  it('given a list of tags, when one is the generation (compared strongly), then it is allowed', () => {
    expect(ifMatchAllows('"x", "abc"', 'abc')).toBe(true);
    expect(ifMatchAllows('"abc"', 'abc')).toBe(true);
    expect(ifMatchAllows('W/"abc"', 'abc')).toBe(false); // a weak tag never matches
    expect(ifMatchAllows('"x", "abcd"', 'abc')).toBe(false);
    expect(ifMatchAllows('abc', 'abc')).toBe(false); // unquoted is no entity tag
  });

  it('given another generation, when checked, then 412 evidence_changed names the new one', () => {
    let thrown: unknown;
    try {
      checkIfMatch('"old"', doc('new'));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ status: 412 });
    const response = (thrown as { getResponse(): Record<string, unknown> }).getResponse();
    expect(response).toMatchObject({ statusCode: 412, code: 'evidence_changed' });
    expect(String(response.message)).toContain('generation new');
  });
});
