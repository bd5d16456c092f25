// What a test can ask the Credo agent to do. Each op takes (agent, args, self) and
// returns JSON; `self` is {label, endpoint} (Credo 0.6 takes the label per invitation).
// The `wait_*` ops poll the agent's own records with a deadline.
import { DidCommHandshakeProtocol } from '@credo-ts/didcomm'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function until(what, fetch, done, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs
  let last
  for (;;) {
    last = await fetch()
    if (last && done(last)) return last
    if (Date.now() > deadline) {
      const state = last ? ` (last state: ${last.state})` : ''
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${state}`)
    }
    await sleep(100)
  }
}

const ENDED = ['done', 'abandoned', 'declined']

function connection(record) {
  return { connection_id: record.id, state: record.state, their_label: record.theirLabel ?? null }
}

// Revealed values and proven predicates, read from the format data as Credo stored it.
async function proofSummary(agent, record) {
  const data = await agent.didcomm.proofs.getFormatData(record.id)
  const format = Object.keys(data.request ?? {})[0] ?? null
  const request = data.request?.[format] ?? {}
  const proof = data.presentation?.[format]?.requested_proof ?? {}
  const revealed = {}
  for (const [referent, value] of Object.entries(proof.revealed_attrs ?? {})) {
    revealed[request.requested_attributes[referent].name] = value.raw
  }
  const predicates = Object.keys(proof.predicates ?? {}).map((r) => request.requested_predicates[r])
  return {
    proof_id: record.id,
    state: record.state,
    format,
    presentation_format: Object.keys(data.presentation ?? {})[0] ?? null,
    is_verified: record.isVerified ?? null,
    error: record.errorMessage ?? null,
    revealed,
    predicates,
  }
}

export const OPS = {
  // Resolve a schema or credential definition through the agent's AnonCreds registry.
  async resolve(agent, { kind, object_id: id }) {
    const anoncreds = agent.modules.anoncreds
    const found = kind === 'schema' ? await anoncreds.getSchema(id) : await anoncreds.getCredentialDefinition(id)
    const { error = null, message = null } = found.resolutionMetadata
    return { found: Boolean(found.schema ?? found.credentialDefinition), error, message }
  },

  async create_invitation(agent, _args, { label, endpoint }) {
    const handshakeProtocols = [DidCommHandshakeProtocol.DidExchange]
    const oob = await agent.didcomm.oob.createInvitation({ label, handshakeProtocols })
    const invitation = oob.outOfBandInvitation
    return { oob_id: oob.id, invitation_id: invitation.id, url: invitation.toUrl({ domain: endpoint }) }
  },

  async receive_invitation(agent, { url }, { label }) {
    const { outOfBandRecord, connectionRecord } = await agent.didcomm.oob.receiveInvitationFromUrl(url, { label })
    return { oob_id: outOfBandRecord.id, connection_id: connectionRecord?.id ?? null }
  },

  async wait_connection(agent, { oob_id, state = 'completed', timeout_ms }) {
    const found = await until(
      `a connection from out-of-band record ${oob_id} in state ${state}`,
      async () => (await agent.didcomm.connections.findAllByOutOfBandId(oob_id))[0],
      (record) => record.state === state,
      timeout_ms
    )
    return connection(found)
  },

  async get_connection(agent, { connection_id }) {
    const found = await agent.didcomm.connections.findById(connection_id)
    return found ? connection(found) : null
  },

  async request_proof(agent, { connection_id, format, request }) {
    const record = await agent.didcomm.proofs.requestProof({
      connectionId: connection_id,
      protocolVersion: 'v2',
      proofFormats: { [format]: request },
    })
    return { proof_id: record.id, thread_id: record.threadId }
  },

  async wait_proof(agent, { proof_id, timeout_ms }) {
    const record = await until(
      `proof exchange ${proof_id} to end`,
      () => agent.didcomm.proofs.findById(proof_id),
      (r) => ENDED.includes(r.state),
      timeout_ms
    )
    return proofSummary(agent, record)
  },

  async wait_offer(agent, { timeout_ms }) {
    const record = await until(
      'a credential offer',
      async () => (await agent.didcomm.credentials.findAllByQuery({ state: 'offer-received' }))[0],
      Boolean,
      timeout_ms
    )
    return { credential_exchange_id: record.id, thread_id: record.threadId }
  },

  async accept_offer(agent, { credential_exchange_id, timeout_ms }) {
    await agent.didcomm.credentials.acceptOffer({ credentialExchangeRecordId: credential_exchange_id })
    const record = await until(
      `credential exchange ${credential_exchange_id} to end`,
      () => agent.didcomm.credentials.findById(credential_exchange_id),
      (r) => ENDED.includes(r.state),
      timeout_ms
    )
    return { state: record.state, credentials: record.credentials.map((c) => c.credentialRecordId) }
  },

  async wait_proof_request(agent, { thread_id, timeout_ms }) {
    const record = await until(
      `proof request ${thread_id ?? ''}`.trim(),
      async () => (await agent.didcomm.proofs.findAllByQuery({ state: 'request-received', ...(thread_id && { threadId: thread_id }) }))[0],
      Boolean,
      timeout_ms
    )
    return { proof_id: record.id, thread_id: record.threadId }
  },

  async accept_proof_request(agent, { proof_id, timeout_ms }) {
    const { proofFormats } = await agent.didcomm.proofs.selectCredentialsForRequest({ proofExchangeRecordId: proof_id })
    await agent.didcomm.proofs.acceptRequest({ proofExchangeRecordId: proof_id, proofFormats })
    return OPS.wait_proof(agent, { proof_id, timeout_ms })
  },
}
