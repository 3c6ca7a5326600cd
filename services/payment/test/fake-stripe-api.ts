import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the part of Stripe's API the gateway uses, answering as Stripe's API
 * reference shows: form-encoded requests, JSON answers, errors as `{ error: { type, code,
 * decline_code, message, ... } }` with Stripe's statuses (402 for a card error, 400/404 for an
 * invalid request), and idempotency keys honoured the way Stripe does (the saved first answer for
 * a repeat, `idempotency_error` for the same key with other parameters). Cards behave like
 * Stripe's test PaymentMethods (`pm_card_visa`, `pm_card_chargeDeclinedInsufficientFunds`, ...).
 *
 * Every request is recorded; `failWith` makes the next requests fail at the HTTP level instead.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  form: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export type Fault =
  | { status: number; body: unknown; headers?: Record<string, string> }
  /** The connection is closed without an answer (ECONNRESET at the client). */
  | { reset: true }
  /** No answer at all, until the client gives up. */
  | { hang: true };

interface Answer {
  status: number;
  body: unknown;
}

interface Intent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  capture_method: string;
  status: string;
  metadata: Record<string, string>;
  latest_charge: string | null;
  last_payment_error: unknown;
  created: number;
}

interface Charge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  currency: string;
  status: 'succeeded' | 'failed';
  payment_intent: string;
  metadata: Record<string, string>;
}

/** Stripe's test PaymentMethods that decline, and the error each answers. */
const DECLINING_CARDS: Record<string, { code: string; decline_code?: string; message: string }> = {
  pm_card_chargeDeclined: {
    code: 'card_declined',
    decline_code: 'generic_decline',
    message: 'Your card was declined.',
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    code: 'card_declined',
    decline_code: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
  pm_card_chargeDeclinedExpiredCard: { code: 'expired_card', message: 'Your card has expired.' },
  pm_card_chargeDeclinedProcessingError: {
    code: 'processing_error',
    message: 'An error occurred while processing your card. Try again in a little bit.',
  },
  pm_card_chargeDeclinedIncorrectCvc: {
    code: 'incorrect_cvc',
    message: "Your card's security code is incorrect.",
  },
  pm_card_chargeDeclinedLostCard: {
    code: 'card_declined',
    decline_code: 'lost_card',
    message: 'Your card was declined.',
  },
};

const id = (prefix: string): string => `${prefix}_${randomBytes(12).toString('hex')}`;

function invalidRequest(status: number, code: string, message: string, param?: string): Answer {
  return {
    status,
    body: { error: { type: 'invalid_request_error', code, message, ...(param ? { param } : {}) } },
  };
}

export class FakeStripeApi {
  readonly requests: RecordedRequest[] = [];
  private readonly intents = new Map<string, Intent>();
  private readonly charges = new Map<string, Charge>();
  private readonly saved = new Map<string, { request: string; answer: Answer }>();
  private faults: { fault: Fault; times: number }[] = [];
  private clock = 1_800_000_000;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeStripeApi> {
    const server = createServer();
    const api = new FakeStripeApi(server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void api.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next `times` requests (all of them by default) fail this way, before any processing. */
  failWith(fault: Fault, times = Number.POSITIVE_INFINITY): void {
    this.faults.push({ fault, times });
  }

  /** Forgets faults and recorded requests (the payments made so far stay). */
  reset(): void {
    this.faults = [];
    this.requests.length = 0;
  }

  /** The PaymentIntents Stripe holds, as it would answer them. */
  get paymentIntents(): Intent[] {
    return [...this.intents.values()];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://stripe.test');
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      form: new URLSearchParams(body),
      headers: req.headers,
    };
    this.requests.push(request);

    const fault = this.faults.find((entry) => entry.times > 0);
    if (fault) {
      fault.times -= 1;
      if ('reset' in fault.fault) return void req.socket.destroy();
      if ('hang' in fault.fault) return;
      return this.send(res, { status: fault.fault.status, body: fault.fault.body }, fault.fault.headers);
    }
    this.send(res, this.idempotent(request, body));
  }

  private send(res: ServerResponse, answer: Answer, headers: Record<string, string> = {}): void {
    res.writeHead(answer.status, { 'content-type': 'application/json', 'request-id': id('req'), ...headers });
    res.end(JSON.stringify(answer.body));
  }

  /** Stripe's idempotency: a POST with a known key answers the saved first answer. */
  private idempotent(request: RecordedRequest, body: string): Answer {
    const key = request.headers['idempotency-key'];
    if (request.method !== 'POST' || typeof key !== 'string') return this.answer(request);
    const signature = `${request.path}?${body}`;
    const saved = this.saved.get(key);
    if (saved) {
      if (saved.request === signature) return saved.answer;
      return {
        status: 400,
        body: {
          error: {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          },
        },
      };
    }
    const answer = this.answer(request);
    this.saved.set(key, { request: signature, answer });
    return answer;
  }

  private answer(request: RecordedRequest): Answer {
    const { method, path } = request;
    const segments = path.split('/').filter(Boolean);
    if (method === 'POST' && path === '/v1/payment_methods') return this.createPaymentMethod(request.form);
    if (method === 'POST' && path === '/v1/payment_intents') return this.createIntent(request.form);
    if (method === 'GET' && path === '/v1/payment_intents/search') return this.search(request.query);
    if (method === 'POST' && path === '/v1/refunds') return this.refund(request.form);
    if (segments[0] === 'v1' && segments[1] === 'payment_intents' && segments[2]) {
      const intent = this.intents.get(segments[2]);
      if (!intent) {
        return invalidRequest(404, 'resource_missing', `No such payment_intent: '${segments[2]}'`, 'intent');
      }
      if (method === 'GET' && segments.length === 3)
        return { status: 200, body: this.view(intent, request.query) };
      if (method === 'POST' && segments[3] === 'capture') return this.capture(intent, request.form);
      if (method === 'POST' && segments[3] === 'cancel') return this.cancel(intent);
    }
    return invalidRequest(404, 'resource_missing', `Unrecognized request URL (${method}: ${path}).`);
  }

  private createPaymentMethod(form: URLSearchParams): Answer {
    const token = form.get('card[token]');
    if (form.get('type') !== 'card' || !token)
      return invalidRequest(400, 'parameter_missing', 'Missing card token.');
    return {
      status: 200,
      body: { id: `pm_card_${token.slice('tok_'.length)}`, object: 'payment_method', type: 'card' },
    };
  }

  private createIntent(form: URLSearchParams): Answer {
    const amount = Number(form.get('amount'));
    const currency = form.get('currency') ?? '';
    if (!Number.isInteger(amount) || amount < 1) {
      return invalidRequest(400, 'parameter_invalid_integer', 'Invalid integer: amount', 'amount');
    }
    if (currency === 'eur' && amount < 50) {
      return invalidRequest(400, 'amount_too_small', 'Amount must be at least €0.50 eur', 'amount');
    }
    const metadata: Record<string, string> = {};
    for (const [key, value] of form) {
      const field = /^metadata\[(.+)\]$/.exec(key);
      if (field) metadata[field[1]!] = value;
    }
    const paymentMethod = form.get('payment_method') ?? '';
    const decline = DECLINING_CARDS[paymentMethod];
    const intent: Intent = {
      id: id('pi'),
      object: 'payment_intent',
      amount,
      amount_capturable: decline ? 0 : amount,
      amount_received: 0,
      currency,
      capture_method: form.get('capture_method') ?? 'automatic_async',
      status: decline ? 'requires_payment_method' : 'requires_capture',
      metadata,
      latest_charge: null,
      last_payment_error: null,
      created: (this.clock += 1),
    };
    const charge: Charge = {
      id: id('ch'),
      object: 'charge',
      amount,
      amount_captured: 0,
      amount_refunded: 0,
      captured: false,
      currency,
      status: decline ? 'failed' : 'succeeded',
      payment_intent: intent.id,
      metadata,
    };
    intent.latest_charge = charge.id;
    this.intents.set(intent.id, intent);
    this.charges.set(charge.id, charge);
    if (!decline) return { status: 200, body: this.view(intent) };
    const error = { type: 'card_error', charge: charge.id, ...decline };
    intent.last_payment_error = error;
    return { status: 402, body: { error: { ...error, payment_intent: this.view(intent) } } };
  }

  private capture(intent: Intent, form: URLSearchParams): Answer {
    if (intent.status !== 'requires_capture') {
      return invalidRequest(
        400,
        'payment_intent_unexpected_state',
        `This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
      );
    }
    const amount = form.has('amount_to_capture')
      ? Number(form.get('amount_to_capture'))
      : intent.amount_capturable;
    if (amount > intent.amount_capturable) {
      return invalidRequest(
        400,
        'amount_too_large',
        'The amount to capture is larger than the amount capturable.',
      );
    }
    const charge = this.charges.get(intent.latest_charge!)!;
    Object.assign(intent, { status: 'succeeded', amount_received: amount, amount_capturable: 0 });
    // Stripe releases the rest of the authorisation as a refund of the charge.
    Object.assign(charge, {
      captured: true,
      amount_captured: amount,
      amount_refunded: charge.amount - amount,
    });
    return { status: 200, body: this.view(intent) };
  }

  private cancel(intent: Intent): Answer {
    if (!['requires_capture', 'requires_payment_method', 'requires_action'].includes(intent.status)) {
      return invalidRequest(
        400,
        'payment_intent_unexpected_state',
        `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`,
      );
    }
    const charge = this.charges.get(intent.latest_charge!)!;
    if (charge.status === 'succeeded') charge.amount_refunded = charge.amount;
    Object.assign(intent, { status: 'canceled', amount_capturable: 0 });
    return { status: 200, body: this.view(intent) };
  }

  private refund(form: URLSearchParams): Answer {
    const intent = this.intents.get(form.get('payment_intent') ?? '');
    if (!intent) return invalidRequest(404, 'resource_missing', 'No such payment_intent', 'payment_intent');
    const charge = this.charges.get(intent.latest_charge!)!;
    if (intent.status !== 'succeeded') {
      return invalidRequest(400, 'charge_not_captured', 'This charge has not been captured yet.');
    }
    const refundable =
      charge.amount_captured - (charge.amount_refunded - (charge.amount - charge.amount_captured));
    const amount = form.has('amount') ? Number(form.get('amount')) : refundable;
    if (amount > refundable) {
      return invalidRequest(
        400,
        'amount_too_large',
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${refundable})`,
        'amount',
      );
    }
    charge.amount_refunded += amount;
    const metadata: Record<string, string> = {};
    if (form.has('metadata[refund_reason]')) metadata.refund_reason = form.get('metadata[refund_reason]')!;
    const refund = {
      id: id('re'),
      object: 'refund',
      amount,
      currency: intent.currency,
      charge: charge.id,
      payment_intent: intent.id,
      reason: form.get('reason'),
      status: 'succeeded',
      failure_reason: null,
      metadata,
      created: (this.clock += 1),
    };
    return { status: 200, body: refund };
  }

  /** Stripe's search language, the one clause the gateway uses: `metadata['key']:'value'`. */
  private search(query: URLSearchParams): Answer {
    const clause = /^metadata\['([^']+)'\]:'((?:[^'\\]|\\.)*)'$/.exec(query.get('query') ?? '');
    if (!clause) return invalidRequest(400, 'parameter_invalid', 'Invalid search query', 'query');
    const value = clause[2]!.replace(/\\(.)/g, '$1');
    const data = this.paymentIntents
      .filter((intent) => intent.metadata[clause[1]!] === value)
      .map((intent) => this.view(intent, query, 'data.'));
    return {
      status: 200,
      body: {
        object: 'search_result',
        data,
        has_more: false,
        next_page: null,
        url: '/v1/payment_intents/search',
      },
    };
  }

  /** A PaymentIntent as Stripe answers it, `latest_charge` expanded when asked to. */
  private view(intent: Intent, query?: URLSearchParams, prefix = ''): Record<string, unknown> {
    const expand = query
      ? [...query.entries()].filter(([key]) => key.startsWith('expand')).map(([, v]) => v)
      : [];
    const expanded = expand.includes(`${prefix}latest_charge`) && intent.latest_charge;
    return {
      ...intent,
      latest_charge: expanded ? { ...this.charges.get(intent.latest_charge!)! } : intent.latest_charge,
    };
  }
}
