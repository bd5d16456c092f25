// Runs one Credo agent on loopback for Tessera's interop tests (tests/interop/credo.py).
//
//   node driver.mjs '{"label": ..., "port": ..., "registry": {"kind": "tessera-dir", "dir": ...}}'
//
// Prints {"ready": true, "endpoint": ...} once the agent is up, then answers each line
// {"id": N, "op": NAME, ...args} on stdin with {"id": N, "ok": true, "result": ...} or
// {"id": N, "ok": false, "error": ...} on stdout (requests may overlap). When stdin
// closes, the agent shuts down and the process exits.

// The native Askar binding must load before any @credo-ts module.
import '@openwallet-foundation/askar-nodejs'

import readline from 'node:readline'

import { makeAgent } from './agent.mjs'
import { OPS } from './ops.mjs'

// Credo's console logger writes info and debug to stdout, which carries answers only.
for (const level of ['log', 'info', 'debug']) console[level] = console.error

const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`)

async function answer(agent, endpoint, line) {
  let request
  try {
    request = JSON.parse(line)
    const op = OPS[request.op]
    if (!op) throw new Error(`Unknown op ${JSON.stringify(request.op)}; known: ${Object.keys(OPS).join(', ')}`)
    send({ id: request.id, ok: true, result: (await op(agent, request, endpoint)) ?? null })
  } catch (error) {
    send({ id: request?.id ?? null, ok: false, error: error?.message ?? String(error) })
  }
}

const { agent, endpoint } = makeAgent(JSON.parse(process.argv[2]))
await agent.initialize()
send({ ready: true, endpoint })

const pending = new Set()
for await (const line of readline.createInterface({ input: process.stdin })) {
  if (!line.trim()) continue
  const task = answer(agent, endpoint, line).finally(() => pending.delete(task))
  pending.add(task)
}
await Promise.allSettled(pending)
await agent.shutdown()
process.exit(0)
