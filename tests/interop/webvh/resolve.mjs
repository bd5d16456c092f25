// Credo 0.6.3 with stock @credo-ts/webvh resolves what a Tessera issuer published on
// did:webvh: every object through the AnonCreds API (which runs @credo-ts/webvh's own
// checks: DID log, digest against the id, eddsa-jcs-2022 proof), status lists by time.
//
//   node resolve.mjs '{"schema": ID, "credDef": ID, "revRegDef": ID, "timestamps": [T, ...]}'
//
// Prints one JSON object: {"schema": {...result}, "credDef": ..., "revRegDef": ...,
// "statusLists": {T: ...}} with each result as Credo returned it (errors included).

// The native bindings register themselves before any @credo-ts module is imported.
import '@hyperledger/anoncreds-nodejs'
import '@openwallet-foundation/askar-nodejs'

import { AnonCredsModule } from '@credo-ts/anoncreds'
import { AskarModule } from '@credo-ts/askar'
import { Agent, ConsoleLogger, DidsModule, LogLevel } from '@credo-ts/core'
import { agentDependencies } from '@credo-ts/node'
import { WebVhAnonCredsRegistry, WebVhDidResolver, WebVhModule } from '@credo-ts/webvh'
import { anoncreds } from '@hyperledger/anoncreds-nodejs'
import { askar } from '@openwallet-foundation/askar-nodejs'

// stdout carries the answer only.
for (const level of ['log', 'info', 'debug']) console[level] = console.error

const ids = JSON.parse(process.argv[2])
const agent = new Agent({
  config: { label: 'webvh-verifier', logger: new ConsoleLogger(LogLevel.warn) },
  dependencies: agentDependencies,
  modules: {
    askar: new AskarModule({
      askar,
      store: { id: 'webvh-verifier', key: 'webvh-verifier', database: { type: 'sqlite', config: { inMemory: true } } },
    }),
    anoncreds: new AnonCredsModule({ anoncreds, registries: [new WebVhAnonCredsRegistry()] }),
    dids: new DidsModule({ resolvers: [new WebVhDidResolver()] }),
    webvh: new WebVhModule(),
  },
})
await agent.initialize()
try {
  const api = agent.modules.anoncreds
  const statusLists = {}
  for (const timestamp of ids.timestamps ?? []) {
    statusLists[timestamp] = await api.getRevocationStatusList(ids.revRegDef, timestamp)
  }
  const out = {
    schema: await api.getSchema(ids.schema),
    credDef: await api.getCredentialDefinition(ids.credDef),
    revRegDef: ids.revRegDef ? await api.getRevocationRegistryDefinition(ids.revRegDef) : null,
    statusLists,
  }
  process.stdout.write(`${JSON.stringify(out)}\n`)
} finally {
  await agent.shutdown()
}
