import type { EntityManager } from '@mikro-orm/postgresql';
import {
  PaymentStatus as PaymentStatusMessage,
  PaymentTransactionStatus,
  PaymentTransactionType,
  RefundStatus as RefundStatusMessage,
  type Payment as PaymentMessage,
  type PaymentTransaction as PaymentTransactionMessage,
  type Refund as RefundMessage,
} from '../../../../gen/ecommerce/payment/v1/payment.js';
import { decimalToMinorUnits } from '../../../../lib/db/money-type.js';
import { notFound } from '../../../../lib/errors.js';
import type { PaymentStatus } from '../entities/payment.js';
import type {
  PaymentTransactionStatus as TransactionStatus,
  PaymentTransactionType as TransactionType,
} from '../entities/payment-transaction.js';
import type { RefundStatus } from '../entities/refund.js';

/** A payment as the domain reads it: amounts in minor units. */
export interface PaymentRecord {
  id: string;
  orderId: string;
  userId: string | null;
  guestEmail: string | null;
  status: PaymentStatus;
  provider: string;
  providerPaymentId: string | null;
  paymentMethodId: string | null;
  currency: string;
  amount: number;
  amountAuthorized: number;
  amountCaptured: number;
  amountRefunded: number;
  amountRefundReserved: number;
  failureCode: string | null;
  failureMessage: string | null;
  idempotencyKey: string;
  requestHash: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface PaymentRow {
  id: string;
  order_id: string;
  user_id: string | null;
  guest_email: string | null;
  status: PaymentStatus;
  provider: string;
  provider_payment_id: string | null;
  payment_method_id: string | null;
  currency: string;
  amount: string;
  amount_authorized: string;
  amount_captured: string;
  amount_refunded: string;
  amount_refund_reserved: string;
  failure_code: string | null;
  failure_message: string | null;
  idempotency_key: string;
  request_hash: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

export const PAYMENT_COLUMNS = `id, order_id, user_id, guest_email, status, provider, provider_payment_id,
  payment_method_id, currency, amount::text, amount_authorized::text, amount_captured::text,
  amount_refunded::text, amount_refund_reserved::text, failure_code, failure_message, idempotency_key,
  request_hash, created_at, updated_at`;

export function paymentRecordOf(row: PaymentRow): PaymentRecord {
  return {
    id: row.id,
    orderId: row.order_id,
    userId: row.user_id,
    guestEmail: row.guest_email,
    status: row.status,
    provider: row.provider,
    providerPaymentId: row.provider_payment_id,
    paymentMethodId: row.payment_method_id,
    currency: row.currency,
    amount: decimalToMinorUnits(row.amount),
    amountAuthorized: decimalToMinorUnits(row.amount_authorized),
    amountCaptured: decimalToMinorUnits(row.amount_captured),
    amountRefunded: decimalToMinorUnits(row.amount_refunded),
    amountRefundReserved: decimalToMinorUnits(row.amount_refund_reserved),
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** The payment, or undefined; `lock` takes its row lock for the rest of the transaction. */
export async function findPayment(
  em: EntityManager,
  where: { id: string } | { idempotencyKey: string },
  lock = false,
): Promise<PaymentRecord | undefined> {
  const [column, value] = 'id' in where ? ['id', where.id] : ['idempotency_key', where.idempotencyKey];
  const [row] = await em.execute<PaymentRow[]>(
    `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE ${column} = ?${lock ? ' FOR UPDATE' : ''}`,
    [value],
  );
  return row ? paymentRecordOf(row) : undefined;
}

export async function requirePayment(em: EntityManager, id: string, lock = false): Promise<PaymentRecord> {
  const payment = await findPayment(em, { id }, lock);
  if (!payment) throw notFound('payment', id);
  return payment;
}

/** A payment_transactions row: one operation sent to the gateway. */
export interface TransactionRecord {
  id: string;
  paymentId: string;
  type: TransactionType;
  status: TransactionStatus;
  amount: number;
  currency: string;
  idempotencyKey: string | null;
  providerTransactionId: string | null;
  errorMessage: string | null;
  createdAt: Date;
  processedAt: Date | null;
}

export interface TransactionRow {
  id: string;
  payment_id: string;
  type: TransactionType;
  status: TransactionStatus;
  amount: string;
  currency: string;
  idempotency_key: string | null;
  provider_transaction_id: string | null;
  error_message: string | null;
  created_at: Date | string;
  processed_at: Date | string | null;
}

export const TRANSACTION_COLUMNS = `id, payment_id, type, status, amount::text, currency, idempotency_key,
  provider_transaction_id, error_message, created_at, processed_at`;

export function transactionRecordOf(row: TransactionRow): TransactionRecord {
  return {
    id: row.id,
    paymentId: row.payment_id,
    type: row.type,
    status: row.status,
    amount: decimalToMinorUnits(row.amount),
    currency: row.currency,
    idempotencyKey: row.idempotency_key,
    providerTransactionId: row.provider_transaction_id,
    errorMessage: row.error_message,
    createdAt: new Date(row.created_at),
    processedAt: row.processed_at === null ? null : new Date(row.processed_at),
  };
}

export async function findTransaction(
  em: EntityManager,
  where: { id: string } | { idempotencyKey: string },
): Promise<TransactionRecord | undefined> {
  const [column, value] = 'id' in where ? ['id', where.id] : ['idempotency_key', where.idempotencyKey];
  const [row] = await em.execute<TransactionRow[]>(
    `SELECT ${TRANSACTION_COLUMNS} FROM payment_transactions WHERE ${column} = ?`,
    [value],
  );
  return row ? transactionRecordOf(row) : undefined;
}

export async function transactionsOf(em: EntityManager, paymentId: string): Promise<TransactionRecord[]> {
  const rows = await em.execute<TransactionRow[]>(
    `SELECT ${TRANSACTION_COLUMNS} FROM payment_transactions WHERE payment_id = ? ORDER BY created_at, id`,
    [paymentId],
  );
  return rows.map(transactionRecordOf);
}

/** A refund as the domain reads it. */
export interface RefundRecord {
  id: string;
  paymentId: string;
  orderId: string;
  returnRequestId: string | null;
  reason: string | null;
  amount: number;
  currency: string;
  status: RefundStatus;
  providerRefundId: string | null;
  idempotencyKey: string;
  requestHash: string | null;
  paymentTransactionId: string | null;
  createdAt: Date;
}

export interface RefundRow {
  id: string;
  payment_id: string;
  order_id: string;
  return_request_id: string | null;
  reason: string | null;
  amount: string;
  currency: string;
  status: RefundStatus;
  provider_refund_id: string | null;
  idempotency_key: string;
  request_hash: string | null;
  payment_transaction_id: string | null;
  created_at: Date | string;
}

export const REFUND_COLUMNS = `id, payment_id, order_id, return_request_id, reason, amount::text, currency, status,
  provider_refund_id, idempotency_key, request_hash, payment_transaction_id, created_at`;

export function refundRecordOf(row: RefundRow): RefundRecord {
  return {
    id: row.id,
    paymentId: row.payment_id,
    orderId: row.order_id,
    returnRequestId: row.return_request_id,
    reason: row.reason,
    amount: decimalToMinorUnits(row.amount),
    currency: row.currency,
    status: row.status,
    providerRefundId: row.provider_refund_id,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    paymentTransactionId: row.payment_transaction_id,
    createdAt: new Date(row.created_at),
  };
}

export async function findRefund(
  em: EntityManager,
  where: { id: string } | { idempotencyKey: string } | { paymentTransactionId: string },
): Promise<RefundRecord | undefined> {
  const [column, value] =
    'id' in where
      ? ['id', where.id]
      : 'idempotencyKey' in where
        ? ['idempotency_key', where.idempotencyKey]
        : ['payment_transaction_id', where.paymentTransactionId];
  const [row] = await em.execute<RefundRow[]>(`SELECT ${REFUND_COLUMNS} FROM refunds WHERE ${column} = ?`, [
    value,
  ]);
  return row ? refundRecordOf(row) : undefined;
}

export async function refundsOf(em: EntityManager, paymentId: string): Promise<RefundRecord[]> {
  const rows = await em.execute<RefundRow[]>(
    `SELECT ${REFUND_COLUMNS} FROM refunds WHERE payment_id = ? ORDER BY created_at, id`,
    [paymentId],
  );
  return rows.map(refundRecordOf);
}

const PAYMENT_STATUS_MESSAGES: Record<PaymentStatus, PaymentStatusMessage> = {
  pending: PaymentStatusMessage.PAYMENT_STATUS_PENDING,
  authorized: PaymentStatusMessage.PAYMENT_STATUS_AUTHORIZED,
  captured: PaymentStatusMessage.PAYMENT_STATUS_CAPTURED,
  partially_refunded: PaymentStatusMessage.PAYMENT_STATUS_PARTIALLY_REFUNDED,
  refunded: PaymentStatusMessage.PAYMENT_STATUS_REFUNDED,
  voided: PaymentStatusMessage.PAYMENT_STATUS_VOIDED,
  failed: PaymentStatusMessage.PAYMENT_STATUS_FAILED,
};

/** The status a ListPayments filter names (UNSPECIFIED: none). */
export function paymentStatusOf(message: PaymentStatusMessage): PaymentStatus | undefined {
  return (Object.keys(PAYMENT_STATUS_MESSAGES) as PaymentStatus[]).find(
    (status) => PAYMENT_STATUS_MESSAGES[status] === message,
  );
}

const money = (currencyCode: string, amountMinor: number) => ({ currencyCode, amountMinor });

export function paymentMessage(payment: PaymentRecord): PaymentMessage {
  return {
    id: payment.id,
    orderId: payment.orderId,
    userId: payment.userId ?? '',
    guestEmail: payment.guestEmail ?? '',
    status: PAYMENT_STATUS_MESSAGES[payment.status],
    provider: payment.provider,
    providerPaymentId: payment.providerPaymentId ?? '',
    paymentMethodId: payment.paymentMethodId ?? '',
    amount: money(payment.currency, payment.amount),
    amountAuthorized: money(payment.currency, payment.amountAuthorized),
    amountCaptured: money(payment.currency, payment.amountCaptured),
    amountRefunded: money(payment.currency, payment.amountRefunded),
    failureCode: payment.failureCode ?? '',
    failureMessage: payment.failureMessage ?? '',
    createdAt: payment.createdAt,
    updatedAt: payment.updatedAt,
  };
}

const TRANSACTION_TYPES: Record<TransactionType, PaymentTransactionType> = {
  authorize: PaymentTransactionType.PAYMENT_TRANSACTION_TYPE_AUTHORIZE,
  capture: PaymentTransactionType.PAYMENT_TRANSACTION_TYPE_CAPTURE,
  void: PaymentTransactionType.PAYMENT_TRANSACTION_TYPE_VOID,
  refund: PaymentTransactionType.PAYMENT_TRANSACTION_TYPE_REFUND,
};

const TRANSACTION_STATUSES: Record<TransactionStatus, PaymentTransactionStatus> = {
  pending: PaymentTransactionStatus.PAYMENT_TRANSACTION_STATUS_PENDING,
  succeeded: PaymentTransactionStatus.PAYMENT_TRANSACTION_STATUS_SUCCEEDED,
  failed: PaymentTransactionStatus.PAYMENT_TRANSACTION_STATUS_FAILED,
  unknown: PaymentTransactionStatus.PAYMENT_TRANSACTION_STATUS_UNKNOWN,
};

export function transactionMessage(transaction: TransactionRecord): PaymentTransactionMessage {
  return {
    id: transaction.id,
    type: TRANSACTION_TYPES[transaction.type],
    status: TRANSACTION_STATUSES[transaction.status],
    amount: money(transaction.currency, transaction.amount),
    providerTransactionId: transaction.providerTransactionId ?? '',
    errorMessage: transaction.errorMessage ?? '',
    createdAt: transaction.createdAt,
    processedAt: transaction.processedAt ?? undefined,
  };
}

const REFUND_STATUSES: Record<RefundStatus, RefundStatusMessage> = {
  pending: RefundStatusMessage.REFUND_STATUS_PENDING,
  processing: RefundStatusMessage.REFUND_STATUS_PENDING,
  completed: RefundStatusMessage.REFUND_STATUS_COMPLETED,
  failed: RefundStatusMessage.REFUND_STATUS_FAILED,
};

export function refundMessage(refund: RefundRecord): RefundMessage {
  return {
    id: refund.id,
    paymentId: refund.paymentId,
    orderId: refund.orderId,
    returnId: refund.returnRequestId ?? '',
    reason: refund.reason ?? '',
    amount: money(refund.currency, refund.amount),
    status: REFUND_STATUSES[refund.status],
    providerRefundId: refund.providerRefundId ?? '',
    createdAt: refund.createdAt,
  };
}
