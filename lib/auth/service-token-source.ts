import { rootLogger, type Logger } from '../log.js';

/** An access token and when it stops being valid. */
export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/** Where a client gets the bearer token it sends on its own behalf. */
export interface ServiceTokenProvider {
  token(): Promise<string>;
}

export interface ServiceTokenSourceOptions {
  /** Fetch a new token this long before the cached one expires (default 60 s). */
  refreshBeforeMs?: number;
  now?: () => number;
  logger?: Logger;
}

/**
 * This service's own access token (role `service`), for calls to RPCs declared `allow.internal()`.
 * Cached; fetched again `refreshBeforeMs` before it expires; one fetch at a time however many
 * callers ask (single flight). A failed refresh keeps serving the cached token while it is still
 * valid, so a short auth outage does not fail calls that need no new token.
 */
export class ServiceTokenSource implements ServiceTokenProvider {
  private cached: IssuedToken | undefined;
  private inFlight: Promise<IssuedToken> | undefined;
  private readonly refreshBeforeMs: number;
  private readonly now: () => number;
  private readonly logger: Logger;

  constructor(
    private readonly issue: () => Promise<IssuedToken>,
    options: ServiceTokenSourceOptions = {},
  ) {
    this.refreshBeforeMs = options.refreshBeforeMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? rootLogger.child({ component: 'service-token-source' });
  }

  async token(): Promise<string> {
    const cached = this.cached;
    if (cached && this.now() < cached.expiresAt.getTime() - this.refreshBeforeMs) return cached.token;
    try {
      return (await this.fetch()).token;
    } catch (error) {
      if (cached && this.now() < cached.expiresAt.getTime()) {
        this.logger.warn({ err: error }, 'refreshing the service token failed; using the cached one');
        return cached.token;
      }
      throw error;
    }
  }

  private fetch(): Promise<IssuedToken> {
    this.inFlight ??= this.issue()
      .then((issued) => (this.cached = issued))
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }
}
