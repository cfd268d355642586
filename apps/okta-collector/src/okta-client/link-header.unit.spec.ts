import { findNextLink, parseLinkHeader } from './link-header';

describe('parseLinkHeader', () => {
  const self = 'https://acme.okta.com/api/v1/users?limit=200';
  const next = 'https://acme.okta.com/api/v1/users?after=00u1%2C2&limit=200';

  it('reads several Link headers (array form, as undici gives repeated headers)', () => {
    const entries = parseLinkHeader([`<${self}>; rel="self"`, `<${next}>; rel="next"`]);
    expect(entries.map((e) => [e.url, e.rel])).toEqual([
      [self, ['self']],
      [next, ['next']],
    ]);
    expect(findNextLink([`<${self}>; rel="self"`, `<${next}>; rel="next"`])).toBe(next);
  });

  it('reads one comma-joined line with several entries', () => {
    expect(findNextLink(`<${self}>; rel="self", <${next}>; rel="next"`)).toBe(next);
    expect(findNextLink(`<${next}>; rel="next",<${self}>; rel="self"`)).toBe(next);
  });

  it('accepts unquoted rel, odd spacing and upper case', () => {
    expect(findNextLink(`<${self}>;rel=self ,  <${next}> ;  REL = NEXT`)).toBe(next);
    expect(findNextLink(`<${next}>; rel=next`)).toBe(next);
  });

  it('handles multi-valued rel and extra parameters', () => {
    const e = parseLinkHeader(
      `<${next}>; title="a; b, c"; rel="last next"; type="application/json"`,
    );
    expect(e).toHaveLength(1);
    expect(e[0]?.rel).toEqual(['last', 'next']);
    expect(e[0]?.params.title).toBe('a; b, c');
    expect(e[0]?.params.type).toBe('application/json');
  });

  it('keeps commas and semicolons inside the URL', () => {
    const odd = 'https://acme.okta.com/api/v1/logs?after=a,b;c&limit=1000';
    expect(findNextLink(`<${self}>; rel="self", <${odd}>; rel="next"`)).toBe(odd);
  });

  it('does not mistake "nextpage" or a quoted "next" in another parameter for next', () => {
    expect(findNextLink(`<${self}>; rel="nextpage"; title="next"`)).toBeNull();
    expect(findNextLink(`<${self}>; rel="self"`)).toBeNull();
  });

  it('first rel wins and escaped quotes are understood', () => {
    const e = parseLinkHeader(`<${next}>; rel="next"; rel="self"; title="say \\"hi\\""`);
    expect(e[0]?.rel).toEqual(['next']);
    expect(e[0]?.params.title).toBe('say "hi"');
  });

  it('tolerates garbage, empty values and missing headers', () => {
    expect(parseLinkHeader(undefined)).toEqual([]);
    expect(parseLinkHeader('')).toEqual([]);
    expect(findNextLink(`garbage, <${next}>; rel="next"`)).toBe(next);
    expect(findNextLink(`<${next}; rel="next"`)).toBeNull();
    expect(parseLinkHeader(`<${self}>; __proto__="x"; rel="self"`)[0]?.rel).toEqual(['self']);
  });
});
