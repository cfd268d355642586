import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '@regentra/http-auth';
import type { Jwks } from './signing-keys';
import { SnapshotSigner } from './snapshot-signer';

class PublicJwkDto {
  @ApiProperty({ enum: ['OKP'] })
  kty!: 'OKP';

  @ApiProperty({ enum: ['Ed25519'] })
  crv!: 'Ed25519';

  @ApiProperty({ description: 'the public key, base64url (RFC 8037)' })
  x!: string;

  @ApiProperty({ description: 'the key id a manifest signature names in its JWS header' })
  kid!: string;

  @ApiProperty({ enum: ['EdDSA'] })
  alg!: 'EdDSA';

  @ApiProperty({ enum: ['sig'] })
  use!: 'sig';
}

class JwksDto {
  @ApiProperty({ type: [PublicJwkDto] })
  keys!: PublicJwkDto[];
}

/** The public keys of the snapshot signing keys (docs/read-models.md, signed snapshots). */
@ApiTags('operations')
@Public()
@Controller()
export class JwksController {
  constructor(private readonly signer: SnapshotSigner) {}

  @Get('.well-known/jwks.json')
  @ApiOperation({
    summary: 'Public keys that verify snapshot manifests; open, public keys only',
    description:
      'The current signing key first, then every retired one still configured, so old signatures verify after a rotation. Save it beside exports for `npm run verify-snapshot -- --chain`.',
  })
  @ApiOkResponse({ type: JwksDto })
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): Jwks {
    return this.signer.jwks();
  }
}
