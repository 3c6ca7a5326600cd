import { LockMode, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type {
  Carrier as CarrierMessage,
  CreateCarrierRequest,
  UpdateCarrierRequest,
} from '../../../../../gen/ecommerce/shipping/v1/shipping.js';
import type { SecretCipher } from '../../../../../lib/crypto/index.js';
import { ShippingReason } from '../../../../../lib/error-reasons.js';
import { alreadyExists, failedPrecondition, notFound } from '../../../../../lib/errors.js';
import { keysetPageOf, pageFrom, type PageInput } from '../../../../../lib/paging/index.js';
import { checked, requireUuid, type Violations } from '../../../../../lib/validation/index.js';
import { Carrier } from '../../entities/index.js';
import { carrierCode, configurationObject, optionalHttpUrl } from './input-rules.js';
import { isStillReferenced } from './still-referenced.js';
import { carrierMessage } from './views.js';

/**
 * Carriers. The API key is stored only encrypted (SecretCipher, bound to the carrier's id, so a
 * key copied onto another row does not decrypt) and no answer carries it: `has_api_key` says
 * whether there is one.
 */

const MAX_API_KEY_LENGTH = 500;
/** The `api_key` column's null, which `hidden()` types as a string. */
const NO_API_KEY = null as unknown as string;

function apiKey(v: Violations, field: string, value: string): string {
  if (value === '') v.add(field, 'is required (use clear_api_key to remove it)');
  else if (value.length > MAX_API_KEY_LENGTH)
    v.add(field, `must be at most ${MAX_API_KEY_LENGTH} characters`);
  return value;
}

function codeTaken(code: string) {
  return alreadyExists('carrier', `code ${code} is taken`, ShippingReason.CARRIER_CODE_TAKEN, {
    carrier_code: code,
  });
}

/** Another carrier holding `code`, checked before writing so the answer names it. */
async function refuseTakenCode(tx: EntityManager, code: string, exceptId?: string): Promise<void> {
  const other = await tx.findOne(Carrier, { code, ...(exceptId ? { id: { $ne: exceptId } } : {}) });
  if (other) throw codeTaken(code);
}

/** A unique violation that raced past refuseTakenCode. */
function clashOf(error: unknown, code: string): unknown {
  return error instanceof UniqueConstraintViolationException ? codeTaken(code) : error;
}

/** CreateCarrier: the carrier, its API key (if any) encrypted. */
export async function createCarrier(
  em: EntityManager,
  cipher: SecretCipher,
  input: CreateCarrierRequest,
): Promise<CarrierMessage> {
  const fields = checked((v) => ({
    name: v.text('name', input.name, 1, 100),
    code: carrierCode(v, 'code', input.code),
    apiEndpoint: optionalHttpUrl(v, 'api_endpoint', input.apiEndpoint),
    apiKey: input.apiKey === '' ? null : apiKey(v, 'api_key', input.apiKey),
    configuration: configurationObject(v, 'configuration_json', input.configurationJson),
    isActive: input.active ?? true,
  }));
  try {
    return await em.transactional(async (tx) => {
      await refuseTakenCode(tx, fields.code);
      const { apiKey: plaintext, ...columns } = fields;
      const carrier = tx.create(Carrier, { ...columns, apiKey: NO_API_KEY });
      if (plaintext !== null) carrier.apiKey = cipher.encrypt(plaintext, carrier.id);
      await tx.flush();
      return carrierMessage(carrier);
    });
  } catch (error) {
    throw clashOf(error, fields.code);
  }
}

export async function getCarrier(em: EntityManager, carrierId: string): Promise<CarrierMessage> {
  const id = requireUuid('carrier_id', carrierId);
  const carrier = await em.findOne(Carrier, id);
  if (!carrier) throw notFound('carrier', id);
  return carrierMessage(carrier);
}

/** ListCarriers: oldest first, keyset pages on the id. */
export async function listCarriers(
  em: EntityManager,
  input: { page?: PageInput | undefined },
): Promise<{ carriers: CarrierMessage[]; nextPageToken: string }> {
  const page = keysetPageOf(input.page, { listing: 'carriers' }, 'none');
  const found = await em.find(Carrier, page.after ? { id: { $gt: page.after.id } } : {}, {
    orderBy: { id: 'asc' },
    limit: page.size + 1,
  });
  const { rows, nextPageToken } = pageFrom(found, page, (carrier) => ({ key: '', id: carrier.id }));
  return { carriers: rows.map(carrierMessage), nextPageToken };
}

/** UpdateCarrier: the fields set; a new code is carried to its methods by the database (ON UPDATE CASCADE). */
export async function updateCarrier(
  em: EntityManager,
  cipher: SecretCipher,
  input: UpdateCarrierRequest,
): Promise<CarrierMessage> {
  const id = requireUuid('carrier_id', input.carrierId);
  const change = checked((v) => {
    if (input.apiKey !== undefined && input.clearApiKey) {
      v.add('clear_api_key', 'cannot be set together with api_key');
    }
    return {
      name: input.name === undefined ? undefined : v.text('name', input.name, 1, 100),
      code: input.code === undefined ? undefined : carrierCode(v, 'code', input.code),
      apiEndpoint:
        input.apiEndpoint === undefined ? undefined : optionalHttpUrl(v, 'api_endpoint', input.apiEndpoint),
      apiKey: input.apiKey === undefined ? undefined : apiKey(v, 'api_key', input.apiKey),
      configuration:
        input.configurationJson === undefined
          ? undefined
          : configurationObject(v, 'configuration_json', input.configurationJson),
    };
  });
  try {
    return await em.transactional(async (tx) => {
      const carrier = await tx.findOne(Carrier, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!carrier) throw notFound('carrier', id);
      if (change.code !== undefined && change.code !== carrier.code) {
        await refuseTakenCode(tx, change.code, id);
        carrier.code = change.code;
      }
      if (change.name !== undefined) carrier.name = change.name;
      if (change.apiEndpoint !== undefined) carrier.apiEndpoint = change.apiEndpoint;
      if (change.apiKey !== undefined) carrier.apiKey = cipher.encrypt(change.apiKey, id);
      if (input.clearApiKey) carrier.apiKey = NO_API_KEY;
      if (change.configuration !== undefined) carrier.configuration = change.configuration;
      if (input.active !== undefined) carrier.isActive = input.active;
      await tx.flush();
      return carrierMessage(carrier);
    });
  } catch (error) {
    throw clashOf(error, change.code ?? '');
  }
}

/**
 * DeleteCarrier: only a carrier no method and no shipment uses (CARRIER_IN_USE). The carrier row is
 * locked first: a method being created for it holds a share lock on the row, so the check below
 * sees that method once it commits.
 */
export async function deleteCarrier(em: EntityManager, carrierId: string): Promise<boolean> {
  const id = requireUuid('carrier_id', carrierId);
  const inUse = () =>
    failedPrecondition(
      `carrier ${id} is used by shipping methods or shipments: deactivate it instead`,
      ShippingReason.CARRIER_IN_USE,
      { carrier_id: id },
    );
  try {
    return await em.transactional(async (tx) => {
      const [carrier] = await tx.execute<{ code: string }[]>(
        'SELECT code FROM carriers WHERE id = ? FOR UPDATE',
        [id],
      );
      if (!carrier) return false;
      const [method] = await tx.execute('SELECT 1 FROM shipping_methods WHERE carrier_code = ? LIMIT 1', [
        carrier.code,
      ]);
      if (method) throw inUse();
      await tx.execute('DELETE FROM carriers WHERE id = ?', [id], 'run');
      return true;
    });
  } catch (error) {
    if (isStillReferenced(error)) throw inUse();
    throw error;
  }
}
