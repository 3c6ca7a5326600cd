import { readInt, type Env } from '../../../../lib/config/index.js';
import { SlidingWindowCounter } from './sliding-window.js';

/**
 * Login rate limits of this replica: attempts per email per minute (any outcome, checked before
 * the password hash, so a flood costs no CPU) and failed attempts per client address per 15
 * minutes (successful logins from a shared address, an office or a BFF without forwarding, do
 * not count).
 */
export class LoginLimits {
  // One audit entry per limited email or address per minute, however hard a flood hammers it.
  private readonly reported = new SlidingWindowCounter(1, 60_000);

  constructor(
    readonly perEmail: SlidingWindowCounter,
    readonly failuresPerIp: SlidingWindowCounter,
  ) {}

  static fromEnv(env: Env): LoginLimits {
    return new LoginLimits(
      new SlidingWindowCounter(
        readInt(env, 'AUTH_LOGIN_ATTEMPTS_PER_EMAIL_PER_MINUTE', 10, { min: 0, max: 1_000_000 }),
        60_000,
      ),
      new SlidingWindowCounter(
        readInt(env, 'AUTH_LOGIN_FAILURES_PER_IP_PER_15_MINUTES', 50, { min: 0, max: 1_000_000 }),
        15 * 60_000,
      ),
    );
  }

  /**
   * Takes one attempt for this email and address. Refused: the wait in seconds, which limit, and
   * whether this refusal is the first for its key this minute (the one worth an audit entry).
   */
  admit(
    email: string,
    ip: string | undefined,
  ): { waitSeconds: number; limit?: 'ip' | 'email'; firstRefusal?: boolean } {
    if (ip !== undefined && this.failuresPerIp.isExhausted(ip)) {
      const waitSeconds = Math.ceil(this.failuresPerIp.retryAfterMs(ip) / 1000);
      return { waitSeconds, limit: 'ip', firstRefusal: this.reported.tryTake(`ip:${ip}`) };
    }
    if (!this.perEmail.tryTake(email)) {
      const waitSeconds = Math.ceil(this.perEmail.retryAfterMs(email) / 1000);
      return { waitSeconds, limit: 'email', firstRefusal: this.reported.tryTake(`email:${email}`) };
    }
    return { waitSeconds: 0 };
  }

  recordFailure(ip: string | undefined): void {
    if (ip !== undefined) this.failuresPerIp.record(ip);
  }
}
