import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthServiceClient } from '../gen/ecommerce/auth/v1/auth.js';
import { DiscountServiceClient } from '../gen/ecommerce/discount/v1/discount.js';
import { DEV_KEY_FILE, parseKeyRing, TokenSigner } from '../lib/auth/index.js';
import { newId } from '../lib/ids.js';
import { plainClient } from './support/clients.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from './support/mesh.js';
import { internalToken } from './support/tokens.js';

/** The discount service behind auth, over real gRPC, with a token for every kind of caller. */
export interface DiscountWorld {
  mesh: TestMesh;
  discount: ReturnType<typeof plainClient<typeof DiscountServiceClient.service>>;
  /** The bootstrap administrator. */
  admin: { token: string };
  /** A platform service (the cart, the order service). */
  internal: { token: string };
  /** An account holding only these permissions. */
  staff(permissions: string[]): Promise<{ token: string }>;
  stop(): Promise<void>;
}

export async function startDiscountWorld(): Promise<DiscountWorld> {
  const mesh = await startTestMesh(['auth', 'discount']);
  const auth = plainClient(AuthServiceClient, mesh.address('auth'));
  const discount = plainClient(DiscountServiceClient, mesh.address('discount'));
  try {
    const { accessToken } = await auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const signer = await TokenSigner.create(
      await parseKeyRing(readFileSync(join(mesh.dataDir, DEV_KEY_FILE), 'utf8')),
    );
    return {
      mesh,
      discount,
      admin: { token: accessToken },
      internal: { token: await internalToken(mesh, 'order') },
      staff: async (permissions) => {
        const userId = newId();
        const token = await signer.sign(
          { userId, email: `${userId}@example.com`, roles: ['staff'], permissions },
          600,
        );
        return { token };
      },
      async stop() {
        discount.close();
        await mesh.stop();
      },
    };
  } finally {
    auth.close();
  }
}

/** A coupon code no other test has used: letters and digits, upper-case. */
export function uniqueCode(tag: string): string {
  return `${tag}${Math.random().toString(36).slice(2, 10)}`.toUpperCase().slice(0, 32);
}
