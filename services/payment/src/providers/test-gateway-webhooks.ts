import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookSignatureError, type GatewayEvent } from './payment-provider.js';

/** How far a signature's timestamp may be from now, either way (as Stripe's libraries). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** An event as the test gateway sends it (the JSON body of its webhook). */
export interface TestGatewayEventBody {
  /** `evt_…`, unique per event. */
  id: string;
  /** `payment.authorized`, `payment.captured`, `payment.voided`, `payment.failed`, `refund.succeeded`. */
  type: string;
  /** Unix seconds. */
  created: number;
  data: {
    /** The gateway's payment as it stood after the event. */
    object: { id: string; reference: string; currency: string; status: string } & Record<string, unknown>;
    /** The amount the event is about (captured, refunded, authorised), in minor units. */
    amount: number | null;
  };
}

const ACTED_ON = new Set<GatewayEvent['type']>([
  'payment.authorized',
  'payment.captured',
  'payment.voided',
  'payment.failed',
  'refund.succeeded',
  'refund.failed',
]);

function hmacHex(secret: string, timestamp: number, body: Uint8Array | string): string {
  return createHmac('sha256', secret)
    .update(`${timestamp}.`)
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest('hex');
}

/** The signature header of `body` as the test gateway sends it: `t=<unix>,v1=<hex HMAC-SHA256>`. */
export function signTestWebhook(secret: string, body: Uint8Array | string, at = new Date()): string {
  const timestamp = Math.floor(at.getTime() / 1000);
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, body)}`;
}

/**
 * A signed webhook, ready to be forwarded as the BFF would (`raw_body`, `signature_header`): for
 * tests and demos, and for the test gateway's own deliveries.
 */
export function signedTestWebhook(
  secret: string,
  event: TestGatewayEventBody,
  at = new Date(),
): { rawBody: Buffer; signatureHeader: string } {
  const rawBody = Buffer.from(JSON.stringify(event), 'utf8');
  return { rawBody, signatureHeader: signTestWebhook(secret, rawBody, at) };
}

function parseHeader(header: string): { timestamp: number; signatures: string[] } {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [name, value, ...rest] = part.trim().split('=');
    if (rest.length > 0 || value === undefined) throw new WebhookSignatureError('malformed signature header');
    if (name === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (name === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === undefined) throw new WebhookSignatureError('the signature header has no timestamp');
  if (signatures.length === 0) throw new WebhookSignatureError('the signature header has no v1 signature');
  return { timestamp, signatures };
}

/**
 * Verifies a test gateway webhook over its exact bytes and parses it; WebhookSignatureError for a
 * missing, malformed, stale (beyond 300 s either way) or wrong signature, and for a verified body
 * that is not a test gateway event.
 */
export function verifyTestWebhook(
  secret: string,
  rawBody: Uint8Array,
  header: string,
  now = new Date(),
): GatewayEvent {
  const { timestamp, signatures } = parseHeader(header);
  if (Math.abs(now.getTime() / 1000 - timestamp) > WEBHOOK_TOLERANCE_SECONDS) {
    throw new WebhookSignatureError('the signature is older (or newer) than the 300 s tolerance');
  }
  const expected = Buffer.from(hmacHex(secret, timestamp, rawBody), 'hex');
  if (!signatures.some((signature) => timingSafeEqual(Buffer.from(signature, 'hex'), expected))) {
    throw new WebhookSignatureError('no signature matches the body');
  }
  let body: TestGatewayEventBody;
  try {
    body = JSON.parse(Buffer.from(rawBody).toString('utf8')) as TestGatewayEventBody;
  } catch {
    throw new WebhookSignatureError('the signed body is not JSON');
  }
  if (typeof body?.id !== 'string' || typeof body.type !== 'string' || typeof body.created !== 'number') {
    throw new WebhookSignatureError('the signed body is not a test gateway event');
  }
  const object = body.data?.object;
  const type = ACTED_ON.has(body.type as GatewayEvent['type'])
    ? (body.type as GatewayEvent['type'])
    : 'other';
  return {
    eventId: body.id,
    type,
    gatewayType: body.type,
    gatewayPaymentId: typeof object?.id === 'string' ? object.id : null,
    reference: typeof object?.reference === 'string' ? object.reference : null,
    amountMinor: Number.isSafeInteger(body.data?.amount) ? body.data.amount : null,
    occurredAt: new Date(body.created * 1000),
    raw: body as unknown as Record<string, unknown>,
  };
}
