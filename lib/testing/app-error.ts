import { AppError } from '../errors.js';

/**
 * The AppError a domain call that must fail rejects with. The test fails when the call succeeds,
 * and any other error is rethrown (a bug is not a refusal).
 */
export async function failureOf(call: Promise<unknown>): Promise<AppError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}
