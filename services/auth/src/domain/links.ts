import { readUrl, type Env } from '../../../../lib/config/index.js';

export const PUBLIC_BASE_URL_SETTING = 'AUTH_PUBLIC_BASE_URL';

/**
 * Builds the links the emails carry, on the shop's public address (AUTH_PUBLIC_BASE_URL, default
 * http://localhost:3000 for development): `<base>/verify-email?token=…`, `<base>/reset-password?token=…`.
 * The storefront (BFF) serves those pages and calls VerifyEmail / ResetPassword with the token.
 */
export class EmailLinks {
  constructor(private readonly base: URL) {}

  static fromEnv(env: Env): EmailLinks {
    return new EmailLinks(
      readUrl(env, PUBLIC_BASE_URL_SETTING, ['http:', 'https:']) ?? new URL('http://localhost:3000'),
    );
  }

  verification(token: string): string {
    return this.link('verify-email', token);
  }

  passwordReset(token: string): string {
    return this.link('reset-password', token);
  }

  private link(page: string, token: string): string {
    const url = new URL(page, this.base.href.endsWith('/') ? this.base.href : `${this.base.href}/`);
    url.searchParams.set('token', token);
    return url.toString();
  }
}
