import { linkAfter, manifestOf, MANIFEST_FORMAT, pageHash } from './snapshot-manifest';

describe('snapshot chain links and manifests', () => {
  it('given no chained snapshot yet, when the next is linked, then it is position 1 with no previous hash', () => {
    expect(linkAfter(null)).toEqual({ position: 1, previousHash: null });
  });

  it('given a previous snapshot, when the next is linked, then it follows it and carries its hash', () => {
    expect(linkAfter({ position: 4, hash: 'sha256:aa' })).toEqual({
      position: 5,
      previousHash: 'sha256:aa',
    });
  });

  it('given pages, when the manifest is built, then it pins each page by the hash of its items', () => {
    const manifest = manifestOf(
      {
        orgId: 'o',
        control: 'authentication',
        syncId: 's2',
        asOf: '2026-01-01T00:00:00.000Z',
        logsThrough: null,
        hash: 'sha256:ee',
        rulesVersion: null,
        codeVersion: '0.1.0',
      },
      linkAfter({ position: 1, hash: 'sha256:dd' }),
      {
        users: {
          index: { total: 3, pageStarts: [0, 2] },
          pages: [[{ id: 1 }, { id: 2 }], [{ id: 3 }]],
        },
        none: { index: { total: 0, pageStarts: [] }, pages: [] },
      },
    );
    expect(manifest).toMatchObject({
      format: MANIFEST_FORMAT,
      position: 2,
      previousHash: 'sha256:dd',
    });
    expect(manifest.lists.users).toEqual({
      total: 3,
      pageStarts: [0, 2],
      pageHashes: [pageHash([{ id: 1 }, { id: 2 }]), pageHash([{ id: 3 }])],
    });
    expect(manifest.lists.none).toEqual({ total: 0, pageStarts: [], pageHashes: [] });
    // key order does not matter, content does
    expect(pageHash([{ a: 1, b: 2 }])).toBe(pageHash([{ b: 2, a: 1 }]));
    expect(pageHash([{ a: 1 }])).not.toBe(pageHash([{ a: 2 }]));
  });
});
