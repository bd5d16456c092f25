// Runs one Credo agent on loopback for Tessera's interop tests (tests/interop/credo.py).
//
//   node driver.mjs '{"label": ..., "port": ..., "registry": {"kind": "tessera-dir", "dir": ...}}'
//
// Prints {"ready": true, "endpoint": ...} once the agent is up, then answers each line
// {"id": N, "op": NAME, ...args} on stdin with {"id": N, "ok": true, "result": ...} or
// {"id": N, "ok": false, "error": ...} on stdout (requests may overlap). When stdin
// closes (the test is done, or died), the agent shuts down at once and the process exits.

// The native bindings register themselves in their *-shared packages, which Credo's ES
// modules import by name from CommonJS: a copy taken when first imported. So they load
// before any @credo-ts module, or Credo sees `anoncreds`/`askar` as undefined.
import '@hyperledger/anoncreds-nodejs'
import '@openwallet-foundation/askar-nodejs'

import readline from 'node:readline'

import { makeAgent } from './agent.mjs'
import { OPS } from './ops.mjs'

// Credo's console logger writes info and debug to stdout, which carries answers only.
for (const level of ['log', 'info', 'debug']) console[level] = console.error

const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`)

async function answer(agent, self, line) {
  let request
  try {
    request = JSON.parse(line)
    const op = OPS[request.op]
    if (!op) throw new Error(`Unknown op ${JSON.stringify(request.op)}; known: ${Object.keys(OPS).join(', ')}`)
    send({ id: request.id, ok: true, result: (await op(agent, request, self)) ?? null })
  } catch (error) {
    send({ id: request?.id ?? null, ok: false, error: error?.message ?? String(error) })
  }
}

const config = JSON.parse(process.argv[2])
const { agent, endpoint } = makeAgent(config)
await agent.initialize()
const self = { label: config.label, endpoint }
send({ ready: true, endpoint })

for await (const line of readline.createInterface({ input: process.stdin })) {
  if (line.trim()) answer(agent, self, line) // not awaited: a long wait blocks no other op
}
await agent.shutdown()
process.exit(0)
