import { status } from '@grpc/grpc-js';
import { isAppError, statusName } from '../../../../../lib/errors.js';

/**
 * A saga as the checkout runs it: a list of steps, each a remote effect and its compensation,
 * whose progress is saved after every step, so that a process killed at any point leaves a record
 * the recovery loop picks up and finishes (forward, or backward by compensating).
 *
 * The runner knows nothing of orders; the checkout gives it the steps and a store.
 */
export interface SagaStep<S> {
  readonly name: string;
  /**
   * Does the step's work and answers what it adds to the saga's state. Must be idempotent by the
   * saga's id: after a crash the recovery runs the step again, and it must then find its first
   * effect, not make a second one.
   */
  run(state: Readonly<S>): Promise<Partial<S>>;
  /** Undoes the step's effect. Idempotent, and harmless when the step never took effect. */
  compensate?(state: Readonly<S>): Promise<void>;
  /**
   * The saga's progress is saved after this step, so that a recovery resumes after it. Between
   * checkpoints nothing is saved: every step is idempotent, so a recovery runs again the steps
   * since the last checkpoint and finds their first effects. A step is a checkpoint when running
   * it again could ask for something else (the amounts the payment is asked for), or when the saga
   * must not run backward past it (the pivot).
   */
  readonly checkpoint?: boolean;
}

export interface SagaDefinition<S> {
  readonly steps: readonly SagaStep<S>[];
  /**
   * The first step after which the saga only goes forward: once it has run (the money is taken),
   * a dependency that is down is waited for, never a reason to undo. A refusal (a business answer)
   * still compensates.
   */
  readonly pivot: string;
  /** How often a step is tried when its dependency is unavailable, before giving up for now. */
  readonly attemptsPerStep: number;
  /** Pause before the attempt after the n-th failure (n from 1). */
  retryDelayMs(failures: number): number;
}

export type SagaDirection = 'forward' | 'compensating';

/** Why a saga went backward: the refusal that stopped it, as its caller will be answered. */
export interface SagaFailure {
  code: status;
  message: string;
  reason?: string;
  metadata?: Record<string, string>;
}

/** Where a saga stands: the step to run next ('done' when finished), its direction and state. */
export interface SagaRecord<S> {
  readonly id: string;
  readonly step: string;
  readonly direction: SagaDirection;
  readonly state: S;
  readonly failure: SagaFailure | null;
}

/**
 * Where the runner saves progress. Each method is one short transaction that also renews this
 * runner's lease, and throws when the lease was lost (another replica took the saga over): the
 * runner then stops at once, without another remote call.
 */
export interface SagaStore<S> {
  /** A step ran: its result joins the state and `nextStep` is the one to run next. */
  advance(id: string, nextStep: string, state: S): Promise<void>;
  /**
   * A step was refused: from now on the saga compensates, from that step back (saved with it, since
   * the steps after the last checkpoint ran without saving).
   */
  startCompensating(id: string, failedStep: string, state: S, failure: SagaFailure): Promise<void>;
  /** Every step ran: the outcome is final (the checkout confirms the order in this transaction). */
  complete(record: SagaRecord<S>): Promise<void>;
  /** Every compensation ran: the outcome is final (the checkout cancels the order). */
  completeCompensation(record: SagaRecord<S>): Promise<void>;
  /** A dependency stayed down past the pivot: give the saga back to the recovery loop. */
  suspend(id: string, reason: string): Promise<void>;
}

export type SagaOutcome<S> =
  | { kind: 'completed'; state: S }
  | { kind: 'compensated'; state: S; failure: SagaFailure }
  | { kind: 'suspended'; state: S; reason: string };

/** Statuses that say "not now" rather than "no": the step is tried again. */
const TRANSIENT = new Set<status>([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.ABORTED,
  status.RESOURCE_EXHAUSTED,
]);

export const DONE = 'done';

/**
 * Runs the saga from where its record stands to an outcome. Store failures (the database down, a
 * lost lease) are thrown as they are: nothing more is done, and the record says where to resume.
 */
export async function runSaga<S>(
  definition: SagaDefinition<S>,
  store: SagaStore<S>,
  record: SagaRecord<S>,
): Promise<SagaOutcome<S>> {
  if (record.direction === 'compensating') return compensate(definition, store, record);

  const steps = definition.steps;
  const pivotIndex = steps.findIndex((step) => step.name === definition.pivot);
  const start = indexOf(steps, record.step);
  let state = record.state;
  for (const [index, step] of steps.entries()) {
    if (index < start) continue;
    const result = await attempt(definition, () => step.run(state));
    if (result.kind === 'failed') {
      const pastPivot = pivotIndex >= 0 && index > pivotIndex;
      if (result.transient && pastPivot) {
        await store.suspend(record.id, result.failure.message);
        return { kind: 'suspended', state, reason: result.failure.message };
      }
      await store.startCompensating(record.id, step.name, state, result.failure);
      return compensate(definition, store, {
        ...record,
        step: step.name,
        direction: 'compensating',
        state,
        failure: result.failure,
      });
    }
    state = { ...state, ...result.value };
    const next = steps[index + 1]?.name ?? DONE;
    if (next !== DONE && step.checkpoint) await store.advance(record.id, next, state);
  }
  await store.complete({ ...record, step: DONE, state });
  return { kind: 'completed', state };
}

/**
 * Compensates every step up to and including the one that failed, the last first. The failed
 * step is included: a refused or lost answer may still have had an effect (an authorisation whose
 * answer never came back). The compensations undo effects in different services, so one that
 * keeps failing (its service is down) does not hold back the others: every one is tried, and the
 * saga is suspended if any failed, for the recovery loop to run them again (they are idempotent).
 */
async function compensate<S>(
  definition: SagaDefinition<S>,
  store: SagaStore<S>,
  record: SagaRecord<S>,
): Promise<SagaOutcome<S>> {
  const failure = record.failure ?? { code: status.INTERNAL, message: 'saga compensated' };
  const last = record.step === DONE ? definition.steps.length - 1 : indexOf(definition.steps, record.step);
  const unfinished: string[] = [];
  for (const step of definition.steps.slice(0, last + 1).reverse()) {
    if (!step.compensate) continue;
    const undo = step.compensate.bind(step);
    const result = await attempt(definition, () => undo(record.state));
    if (result.kind === 'failed') unfinished.push(`compensating ${step.name}: ${result.failure.message}`);
  }
  if (unfinished.length > 0) {
    const reason = unfinished.join('; ');
    await store.suspend(record.id, reason);
    return { kind: 'suspended', state: record.state, reason };
  }
  await store.completeCompensation({ ...record, step: DONE });
  return { kind: 'compensated', state: record.state, failure };
}

type Attempt<T> =
  { kind: 'succeeded'; value: T } | { kind: 'failed'; transient: boolean; failure: SagaFailure };

async function attempt<T>(definition: SagaDefinition<unknown>, work: () => Promise<T>): Promise<Attempt<T>> {
  for (let failures = 1; ; failures += 1) {
    try {
      return { kind: 'succeeded', value: await work() };
    } catch (error) {
      const failure = failureOf(error);
      const transient = TRANSIENT.has(failure.code);
      if (!transient || failures >= definition.attemptsPerStep) return { kind: 'failed', transient, failure };
      await sleep(definition.retryDelayMs(failures));
    }
  }
}

/** A step's error as the saga records it; anything that is not an AppError is a bug: INTERNAL. */
function failureOf(error: unknown): SagaFailure {
  if (isAppError(error)) {
    return {
      code: error.code,
      message: error.message,
      ...(error.reason ? { reason: error.reason } : {}),
      ...(error.metadata ? { metadata: { ...error.metadata } } : {}),
    };
  }
  return { code: status.INTERNAL, message: `step failed: ${String(error)}` };
}

function indexOf<S>(steps: readonly SagaStep<S>[], name: string): number {
  const index = steps.findIndex((step) => step.name === name);
  if (index < 0)
    throw new Error(`unknown saga step "${name}" (known: ${steps.map((s) => s.name).join(', ')})`);
  return index;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function describeFailure(failure: SagaFailure): string {
  return `${statusName(failure.code)}: ${failure.message}`;
}
