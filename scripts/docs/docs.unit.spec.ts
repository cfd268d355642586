import { Parser } from '@asyncapi/parser';
import { load } from 'js-yaml';
import { knownTypes, TOPICS } from '@regentra/contracts';
import { toOpenApi31Schemas } from '@regentra/http-api';
import { asyncApiYaml } from './asyncapi';
import { openApiDocuments } from './openapi';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('docs/asyncapi.yaml', () => {
  const yaml = asyncApiYaml();
  const doc = load(yaml) as Doc;

  it('is valid AsyncAPI 3.0 for the official parser', async () => {
    const { diagnostics } = await new Parser().parse(yaml);
    expect(diagnostics.filter((d) => d.severity === 0)).toEqual([]);
    expect(doc.asyncapi).toBe('3.0.0');
  });

  it('has every topic, and on it every (type, schemaVersion) the contracts accept', () => {
    for (const [key, address] of Object.entries(TOPICS)) {
      const channel = doc.channels[key];
      expect(channel.address).toBe(address);
      const names = Object.keys(channel.messages);
      for (const typeAndVersion of knownTypes(address)) {
        const [type, version] = typeAndVersion.split('@');
        expect(names).toContain(`${key}.${type}.v${version}`);
      }
    }
  });

  it('pins each message to its type and version and keys it by orgId', () => {
    const message = doc.components.messages['identity.IdentitySyncFailed.v2'];
    expect(message.payload.properties.type).toMatchObject({ const: 'IdentitySyncFailed' });
    expect(message.payload.properties.schemaVersion).toMatchObject({ const: 2 });
    expect(message.bindings.kafka.key.description).toMatch(/orgId/);
  });
});

describe('OpenAPI documents', () => {
  let docs: Record<string, Doc>;
  beforeAll(async () => {
    docs = (await openApiDocuments()) as unknown as Record<string, Doc>;
  });

  it('are OpenAPI 3.1 with no 3.0-only `nullable` left', () => {
    for (const doc of Object.values(docs)) {
      expect(doc.openapi).toBe('3.1.0');
      expect(JSON.stringify(doc)).not.toContain('"nullable"');
    }
  });

  it('ask for a token on every /v1 route, name its action and document each error with its codes', () => {
    for (const doc of Object.values(docs))
      for (const [path, operations] of Object.entries(doc.paths as Doc))
        for (const operation of Object.values(operations as Doc) as Doc[]) {
          if (path.startsWith('/v1/')) {
            expect(operation.security).toEqual(
              expect.arrayContaining([{ jwt: [] }, { bearer: [] }]),
            );
            expect(operation['x-required-action']).toMatch(/^[a-z]+:[a-z]+$/);
            expect(Object.keys(operation.responses)).toEqual(
              expect.arrayContaining(['401', '403']),
            );
          }
          for (const [status, response] of Object.entries(operation.responses as Doc)) {
            if (Number(status) < 400 || status === '503') continue; // 503: /health's own "down"
            const codes = (response as Doc).content['application/json'].schema.allOf[1].properties
              .code.enum;
            expect(codes.length).toBeGreaterThan(0);
          }
        }
  });

  it('says null is a type (3.1), for a plain field and for a referenced one', () => {
    expect(toOpenApi31Schemas({ type: 'string', nullable: true })).toEqual({
      type: ['string', 'null'],
    });
    expect(
      toOpenApi31Schemas({ type: 'object', nullable: true, allOf: [{ $ref: '#/x' }] }),
    ).toEqual({ anyOf: [{ allOf: [{ $ref: '#/x' }] }, { type: 'null' }] });
  });
});
