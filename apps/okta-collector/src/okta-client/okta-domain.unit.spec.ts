import { isPublicAddress } from './ip-address';
import {
  guardedLookup,
  OktaDomainError,
  resolveOktaDomain,
  validateOktaDomain,
  type ValidateOktaDomainOptions,
} from './okta-domain';

const noDns = (): Promise<string[]> => Promise.reject(new Error('DNS must not be used'));

function opts(over: Partial<ValidateOktaDomainOptions> = {}): ValidateOktaDomainOptions {
  return {
    allowInsecureHosts: [],
    resolve: noDns,
    readOrganization: () => Promise.reject(new Error('no .well-known read expected')),
    ...over,
  };
}

async function reason(input: string, o: ValidateOktaDomainOptions = opts()): Promise<string> {
  try {
    await validateOktaDomain(input, o);
    return 'accepted';
  } catch (e) {
    if (e instanceof OktaDomainError) return e.reason;
    throw e;
  }
}

describe('validateOktaDomain', () => {
  it.each([
    ['acme.okta.com', 'https://acme.okta.com'],
    ['acme.oktapreview.com', 'https://acme.oktapreview.com'],
    ['https://acme.okta-emea.com/', 'https://acme.okta-emea.com'],
    ['  ACME.Okta.com  ', 'https://acme.okta.com'],
    ['https://acme.okta.com/app/UserHome?x=1#y', 'https://acme.okta.com'],
    ['acme.okta-gov.com', 'https://acme.okta-gov.com'],
    ['acme.okta.mil', 'https://acme.okta.mil'],
    ['https://acme.okta.com:443', 'https://acme.okta.com'],
    ['acme.okta.com.', 'https://acme.okta.com'],
  ])('accepts %s without DNS', async (input, origin) => {
    const url = await validateOktaDomain(input, opts());
    expect(url.origin).toBe(origin);
    expect(url.pathname).toBe('/');
  });

  it.each([
    ['', 'empty'],
    ['http://acme.okta.com', 'not-https'],
    ['ftp://acme.okta.com', 'not-https'],
    ['acme-admin.okta.com', 'admin-host'],
    ['https://acme-admin.oktapreview.com', 'admin-host'],
    ['localhost', 'localhost'],
    ['https://localhost', 'localhost'],
    ['api.localhost', 'localhost'],
    ['127.0.0.1', 'ip-literal'],
    ['10.0.0.1', 'ip-literal'],
    ['169.254.169.254', 'ip-literal'],
    ['http://169.254.169.254/latest/meta-data', 'not-https'],
    ['[::1]', 'ip-literal'],
    ['https://[::ffff:127.0.0.1]', 'ip-literal'],
    ['https://0x7f000001', 'ip-literal'],
    ['https://2130706433', 'ip-literal'],
    ['https://user:pw@acme.okta.com', 'credentials'],
    ['acme.okta.com:8443', 'port'],
    ['intranet', 'invalid'],
    ['okta.com', 'invalid'],
    ['a.b.okta.com', 'invalid'],
    ['http://', 'invalid'],
    ['127.0.0.1:4010', 'ip-literal'],
  ])('refuses %s (%s)', async (input, why) => {
    expect(await reason(input)).toBe(why);
  });

  it('gives customer-readable messages', async () => {
    await expect(validateOktaDomain('acme-admin.okta.com', opts())).rejects.toThrow(
      'acme-admin.okta.com is the Okta Admin Console address, not the API; enter acme.okta.com instead.',
    );
    await expect(validateOktaDomain('http://acme.okta.com', opts())).rejects.toThrow(
      /must use https/,
    );
  });

  describe('custom domains', () => {
    const resolveTo = (...ips: string[]) => jest.fn((_host: string) => Promise.resolve(ips));

    it.each([
      ['10.1.2.3'],
      ['192.168.0.1'],
      ['127.0.0.1'],
      ['169.254.169.254'],
      ['100.64.1.1'],
      ['::1'],
      ['fd00::1'],
      ['::ffff:10.0.0.1'],
    ])('refuses a name resolving to %s', async (ip) => {
      expect(await reason('login.example.com', opts({ resolve: resolveTo(ip) }))).toBe(
        'private-address',
      );
    });

    it('refuses an address spelled with trailing dots even when it resolves to a public address', async () => {
      // new URL keeps "93.184.216.34.." as a name; without its last dot isIP does not see an address
      const resolve = resolveTo('93.184.216.34');
      expect(await reason('https://93.184.216.34..', opts({ resolve }))).toBe('ip-literal');
      expect(resolve).not.toHaveBeenCalled();
    });

    it('refuses when any one of several addresses is private', async () => {
      expect(
        await reason(
          'login.example.com',
          opts({ resolve: resolveTo('93.184.216.34', '10.0.0.5') }),
        ),
      ).toBe('private-address');
    });

    /** `.well-known/okta-organization` answers by origin (null: not Okta-shaped / no answer). */
    const wellKnown =
      (answers: Record<string, { id: string; href: string } | null>) => (base: URL) => {
        const a = answers[base.origin];
        return Promise.resolve(a ? { id: a.id, _links: { organization: { href: a.href } } } : null);
      };

    it('accepts a custom domain in front of an Okta org that answers the same id; the API goes to the org host', async () => {
      const resolve = resolveTo('93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946');
      const readOrganization = jest.fn(
        wellKnown({
          'https://login.example.com': { id: '00o1', href: 'https://acme.okta.com' },
          'https://acme.okta.com': { id: '00o1', href: 'https://acme.okta.com' },
        }),
      );
      const resolved = await resolveOktaDomain(
        'https://login.example.com/',
        opts({ resolve, readOrganization }),
      );
      expect(resolved.domain.origin).toBe('https://login.example.com');
      expect(resolved.apiBase.origin).toBe('https://acme.okta.com');
      expect(resolved.oktaOrgId).toBe('00o1');
      expect(resolve).toHaveBeenCalledWith('login.example.com');
      expect(readOrganization.mock.calls.map(([u]) => u.origin)).toEqual([
        'https://login.example.com',
        'https://acme.okta.com',
      ]);
    });

    it.each([
      ['a host that is not Okta', 'https://okta.attacker.example', 'custom-domain-not-okta-org'],
      ['itself', 'https://login.example.com', 'custom-domain-not-okta-org'],
      ['an Okta host over http', 'http://acme.okta.com', 'custom-domain-not-okta-org'],
      ['the Admin Console', 'https://acme-admin.okta.com', 'custom-domain-not-okta-org'],
      ['not a URL', 'acme.okta.com', 'custom-domain-not-okta-org'],
    ])('refuses a custom domain whose organization href names %s', async (_what, href, why) => {
      const readOrganization = wellKnown({
        'https://login.example.com': { id: '00o1', href },
        [new URL(href.includes('://') ? href : 'https://x.invalid').origin]: {
          id: '00o1',
          href,
        },
      });
      expect(
        await reason(
          'login.example.com',
          opts({ resolve: resolveTo('93.184.216.34'), readOrganization }),
        ),
      ).toBe(why);
    });

    it('refuses a custom domain when the Okta org host it names is another org, or does not answer', async () => {
      const claim = { id: '00oVICTIM', href: 'https://victim.okta.com' };
      const other = wellKnown({
        'https://login.example.com': claim,
        'https://victim.okta.com': { id: '00oREAL', href: 'https://victim.okta.com' },
      });
      const silent = wellKnown({ 'https://login.example.com': claim });
      for (const readOrganization of [other, silent])
        expect(
          await reason(
            'login.example.com',
            opts({ resolve: resolveTo('93.184.216.34'), readOrganization }),
          ),
        ).toBe('custom-domain-org-mismatch');
      await expect(
        validateOktaDomain(
          'login.example.com',
          opts({ resolve: resolveTo('93.184.216.34'), readOrganization: other }),
        ),
      ).rejects.toThrow(/claims Okta org 00oVICTIM, but victim\.okta\.com is org 00oREAL/);
    });

    it('refuses a public name that does not answer like Okta, or fails DNS', async () => {
      expect(
        await reason(
          'login.example.com',
          opts({
            resolve: resolveTo('93.184.216.34'),
            readOrganization: () => Promise.resolve({ id: '00o1' }),
          }),
        ),
      ).toBe('not-okta');
      expect(
        await reason(
          'login.example.com',
          opts({ resolve: () => Promise.reject(new Error('ENOTFOUND')) }),
        ),
      ).toBe('dns-failure');
      expect(await reason('login.example.com', opts({ resolve: resolveTo() }))).toBe('dns-failure');
    });
  });

  describe('test-only insecure opt-in', () => {
    it('accepts a listed host:port over http (explicit or bare)', async () => {
      const o = opts({ allowInsecureHosts: ['127.0.0.1:4010'] });
      expect((await validateOktaDomain('http://127.0.0.1:4010', o)).origin).toBe(
        'http://127.0.0.1:4010',
      );
      expect((await validateOktaDomain('127.0.0.1:4010', o)).origin).toBe('http://127.0.0.1:4010');
      expect(
        (
          await validateOktaDomain(
            'http://localhost:4010',
            opts({ allowInsecureHosts: ['localhost:4010'] }),
          )
        ).origin,
      ).toBe('http://localhost:4010');
    });

    it('refuses anything not listed exactly', async () => {
      const o = opts({ allowInsecureHosts: ['127.0.0.1:4010'] });
      expect(await reason('http://127.0.0.1:4011', o)).toBe('not-https');
      expect(await reason('http://localhost:4010', o)).toBe('not-https');
      expect(await reason('http://127.0.0.1', o)).toBe('not-https');
      expect(await reason('http://127.0.0.1:4010', opts())).toBe('not-https');
    });
  });
});

describe('isPublicAddress', () => {
  it.each([
    '0.0.0.0',
    '127.0.0.1',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.255',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '::',
    '::1',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '::ffff:7f00:1',
    '64:ff9b::10.0.0.1',
    '2002:0a00:0001::1',
    '2001:db8::1',
    '::127.0.0.1',
    'fe80::1%eth0',
    'not-an-ip',
  ])('%s is not public', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700::6810:84e5',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
  ])('%s is public', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });
});

describe('guardedLookup (connect-time DNS re-check)', () => {
  const lookup = (host: string, all: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) => {
      guardedLookup(host, { all } as never, (err, address) => resolve({ err, address }));
    });

  it('refuses a name that resolves to loopback', async () => {
    const { err } = await lookup('localhost', false);
    expect(err).toBeInstanceOf(OktaDomainError);
    const all = await lookup('localhost', true);
    expect(all.err).toBeInstanceOf(OktaDomainError);
  });
});
