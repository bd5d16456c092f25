// TEMPORARY: a read-only Credo AnonCreds registry over today's did:tessera registry
// directory (wallet/registry/). It goes when the did:webvh registry lands: the driver
// then uses @credo-ts/webvh instead (see REGISTRIES in agent.mjs).
//
// Every read is checked as Tessera's own resolver checks it: the content's digest must
// be the one in the id (base58 SHA-256 of canonical JSON), and the issuer's Ed25519
// signature (key carried in the id) must verify over the signed payload.
import { createPublicKey, createHash, verify } from 'node:crypto'
import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
const OBJECT_ID = /^(did:tessera:z(6Mk[1-9A-HJ-NP-Za-km-z]{44}))\/(schema|creddef|revreg)\/([1-9A-HJ-NP-Za-km-z]{32,44})$/
const DOMAIN = 'tessera-registry/1'

function b58decode(text) {
  let n = 0n
  for (const c of text) {
    const i = B58.indexOf(c)
    if (i < 0) throw new Error(`not base58: ${text}`)
    n = n * 58n + BigInt(i)
  }
  let hex = n === 0n ? '' : n.toString(16)
  if (hex.length % 2) hex = `0${hex}`
  const zeros = text.match(/^1*/)[0].length
  return Buffer.concat([Buffer.alloc(zeros), Buffer.from(hex, 'hex')])
}

function b58encode(bytes) {
  let out = ''
  for (let n = BigInt(`0x${Buffer.from(bytes).toString('hex')}`); n > 0n; n /= 58n) {
    out = B58[Number(n % 58n)] + out
  }
  let zeros = 0
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++
  return '1'.repeat(zeros) + out
}

// Sorted keys, no whitespace, integers only: the same bytes as wallet/registry/canonical.py.
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`
  }
  if (typeof value === 'number' && !Number.isInteger(value)) throw new Error('a float in registry content')
  return JSON.stringify(value)
}

function parseId(id, kind) {
  const m = OBJECT_ID.exec(id)
  if (!m || (kind && m[3] !== kind)) throw new Error(`${id} is not a did:tessera ${kind ?? 'object'} id`)
  return { issuer: m[1], mb: `z${m[2]}`, kind: m[3], digest: m[4] }
}

function checkSignature(record, issuer, name) {
  const raw = b58decode(issuer.slice('did:tessera:z'.length)).subarray(2) // 0xed01 prefix
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' })
  const payload = canonical({ domain: DOMAIN, kind: record.kind, id: record.id, content: record.content })
  if (!verify(null, Buffer.from(payload), key, b58decode(record.signature))) {
    throw new Error(`${name} failed its integrity check: the signature does not verify`)
  }
}

export class TesseraDirectoryRegistry {
  methodName = 'tessera'
  supportedIdentifier = /^did:tessera:/
  allowsCaching = false

  constructor(dir) {
    this.dir = dir
  }

  async object(id, kind) {
    const oid = parseId(id, kind)
    const file = path.join(this.dir, 'objects', oid.mb, oid.kind, `${oid.digest}.json`)
    const record = JSON.parse(await readFile(file, 'utf8'))
    const digest = b58encode(createHash('sha256').update(canonical(record.content)).digest())
    if (record.kind !== kind || record.id !== id || digest !== oid.digest || record.content.issuerId !== oid.issuer) {
      throw new Error(`${id} failed its integrity check: the content does not match its id`)
    }
    checkSignature(record, oid.issuer, id)
    return record.content
  }

  async resolve(id, kind, key) {
    try {
      return { [key]: await this.object(id, kind), resolutionMetadata: {} }
    } catch (error) {
      const notFound = error.code === 'ENOENT'
      return { resolutionMetadata: { error: notFound ? 'notFound' : 'invalid', message: error.message } }
    }
  }

  async getSchema(_ctx, schemaId) {
    return { schemaId, schemaMetadata: {}, ...(await this.resolve(schemaId, 'schema', 'schema')) }
  }

  async getCredentialDefinition(_ctx, credentialDefinitionId) {
    const found = await this.resolve(credentialDefinitionId, 'creddef', 'credentialDefinition')
    return { credentialDefinitionId, credentialDefinitionMetadata: {}, ...found }
  }

  async getRevocationRegistryDefinition(_ctx, revocationRegistryDefinitionId) {
    const found = await this.resolve(revocationRegistryDefinitionId, 'revreg', 'revocationRegistryDefinition')
    return { revocationRegistryDefinitionId, revocationRegistryDefinitionMetadata: {}, ...found }
  }

  // The newest signed entry stamped at or before `timestamp`.
  async getRevocationStatusList(_ctx, revRegId, timestamp) {
    try {
      const oid = parseId(revRegId, 'revreg')
      const dir = path.join(this.dir, 'revlists', oid.mb, oid.digest)
      const stamps = (await readdir(dir)).map((n) => /^(0|[1-9][0-9]*)\.json$/.exec(n)?.[1]).filter(Boolean).map(Number)
      const stamp = Math.max(...stamps.filter((s) => s <= timestamp))
      if (!Number.isFinite(stamp)) throw Object.assign(new Error(`no list at ${timestamp}`), { code: 'ENOENT' })
      const record = JSON.parse(await readFile(path.join(dir, `${stamp}.json`), 'utf8'))
      const c = record.content
      if (record.kind !== 'revlist' || record.id !== revRegId || c.revRegDefId !== revRegId || c.issuerId !== oid.issuer || c.timestamp !== stamp) {
        throw new Error(`Revocation list of ${revRegId} at ${stamp} failed its integrity check`)
      }
      checkSignature(record, oid.issuer, `Revocation list of ${revRegId}`)
      return { revocationStatusList: c, resolutionMetadata: {}, revocationStatusListMetadata: {} }
    } catch (error) {
      const notFound = error.code === 'ENOENT'
      const resolutionMetadata = { error: notFound ? 'notFound' : 'invalid', message: error.message }
      return { resolutionMetadata, revocationStatusListMetadata: {} }
    }
  }

  async refuse() {
    throw new Error('The did:tessera adapter is read-only')
  }
  registerSchema = this.refuse
  registerCredentialDefinition = this.refuse
  registerRevocationRegistryDefinition = this.refuse
  registerRevocationStatusList = this.refuse
}
