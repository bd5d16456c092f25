// One Credo agent on loopback: DIDComm over HTTP, AnonCreds credentials and proofs in
// both present-proof 2.0 formats (`anoncreds` and the legacy `indy`).
import {
  AnonCredsDidCommCredentialFormatService,
  AnonCredsDidCommProofFormatService,
  AnonCredsModule,
  LegacyIndyDidCommCredentialFormatService,
  LegacyIndyDidCommProofFormatService,
} from '@credo-ts/anoncreds'
import { AskarModule } from '@credo-ts/askar'
import { Agent, ConsoleLogger, DidsModule, LogLevel } from '@credo-ts/core'
import {
  DidCommAutoAcceptCredential,
  DidCommAutoAcceptProof,
  DidCommCredentialV2Protocol,
  DidCommHttpOutboundTransport,
  DidCommModule,
  DidCommProofV2Protocol,
} from '@credo-ts/didcomm'
import { DidCommHttpInboundTransport, agentDependencies } from '@credo-ts/node'
import { WebVhAnonCredsRegistry, WebVhDidResolver, WebVhModule } from '@credo-ts/webvh'
import { anoncreds } from '@hyperledger/anoncreds-nodejs'
import { askar } from '@openwallet-foundation/askar-nodejs'

// Which AnonCreds registry the agent resolves objects with, by config `registry.kind`:
// stock @credo-ts/webvh, which fetches Tessera's attested resources and checks the DID
// log, each digest and each proof itself (docs/webvh.md).
export const REGISTRIES = {
  webvh: () => new WebVhAnonCredsRegistry(),
}

// Credo 0.6.3's WebVhDidResolver.getBaseUrl turns the resource ids of a DID whose host
// contains "localhost" into plain-http URLs and leaves a port percent-encoded
// ("http://issuer.tessera.localhost%3A8443/resources/..."), an invalid URL. The test
// worlds publish at https://NAME.localhost:PORT/ (the DID log, which didwebvh-ts 2.8
// fetches itself, is found correctly), so exactly that URL shape is put back to the
// did:webvh transformation's result. Nothing else is touched; a public issuer's DID
// (no "localhost") never matches.
const LOCALHOST_WITH_PORT = /^http:\/\/([a-z0-9.-]+\.localhost)%3A(\d+)\//
export const webvhFetch = (url, init) =>
  agentDependencies.fetch(
    typeof url === 'string' ? url.replace(LOCALHOST_WITH_PORT, 'https://$1:$2/') : url,
    init
  )

// Credo's HTTP inbound transport listens on every interface; ours binds 127.0.0.1 only.
class LoopbackHttpInboundTransport extends DidCommHttpInboundTransport {
  constructor(options) {
    super(options)
    const listen = this.app.listen.bind(this.app)
    this.app.listen = (port) => listen(port, '127.0.0.1')
  }
}

// Stock Credo 0.6.3 verifies an `indy`-format proof only over Indy identifiers: it
// rewrites every schema and credential definition id as an unqualified Indy id and
// throws ("... is not a valid did:indy did") for any other method. With `indyKeepsIds`
// the ids of other methods are kept as they are, as the `anoncreds` format does.
const anoncredsFormat = new AnonCredsDidCommProofFormatService()
const isIndy = (id) => id.startsWith('did:indy:') || !id.startsWith('did:')
const split = (ids) => [new Set([...ids].filter(isIndy)), new Set([...ids].filter((id) => !isIndy(id)))]

class KeepIdsLegacyIndyProofFormatService extends LegacyIndyDidCommProofFormatService {
  async getSchemas(agentContext, ids) {
    const [indy, other] = split(ids)
    return { ...(await super.getSchemas(agentContext, indy)), ...(await anoncredsFormat.getSchemas(agentContext, other)) }
  }

  async getCredentialDefinitions(agentContext, ids) {
    const [indy, other] = split(ids)
    const defs = await super.getCredentialDefinitions(agentContext, indy)
    return { ...defs, ...(await anoncredsFormat.getCredentialDefinitions(agentContext, other)) }
  }
}

export function makeAgent({ label, port, registry, indyKeepsIds = false, logLevel = 'warn' }) {
  const endpoint = `http://127.0.0.1:${port}`
  const indyProofs = indyKeepsIds ? new KeepIdsLegacyIndyProofFormatService() : new LegacyIndyDidCommProofFormatService()
  const agent = new Agent({
    config: { label, logger: new ConsoleLogger(LogLevel[logLevel]) },
    dependencies: { ...agentDependencies, fetch: webvhFetch },
    modules: {
      askar: new AskarModule({ askar, store: { id: label, key: label, database: { type: 'sqlite', config: { inMemory: true } } } }),
      anoncreds: new AnonCredsModule({ anoncreds, registries: [REGISTRIES[registry.kind](registry)] }),
      dids: new DidsModule({ resolvers: [new WebVhDidResolver()] }),
      webvh: new WebVhModule(),
      didcomm: new DidCommModule({
        endpoints: [endpoint],
        transports: {
          inbound: [new LoopbackHttpInboundTransport({ port })],
          outbound: [new DidCommHttpOutboundTransport()],
        },
        connections: { autoAcceptConnections: true },
        credentials: {
          autoAcceptCredentials: DidCommAutoAcceptCredential.ContentApproved,
          credentialProtocols: [
            new DidCommCredentialV2Protocol({
              credentialFormats: [new AnonCredsDidCommCredentialFormatService(), new LegacyIndyDidCommCredentialFormatService()],
            }),
          ],
        },
        proofs: {
          autoAcceptProofs: DidCommAutoAcceptProof.ContentApproved,
          proofProtocols: [
            new DidCommProofV2Protocol({ proofFormats: [new AnonCredsDidCommProofFormatService(), indyProofs] }),
          ],
        },
        mediator: false,
        mediationRecipient: false,
        messagePickup: false,
      }),
    },
  })
  return { agent, endpoint }
}
