import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateProductRequest, type Product } from '../gen/ecommerce/product/v1/product.js';
import { DEV_KEY_FILE, parseKeyRing, TokenSigner } from '../lib/auth/index.js';
import { newId } from '../lib/ids.js';
import { clientsFor } from './support/clients.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type TestMesh } from './support/mesh.js';

/** A customer's access token (role customer), signed with the mesh's development key as the auth service would. */
export async function customerToken(
  mesh: TestMesh,
  userId: string = newId(),
): Promise<{ userId: string; token: string }> {
  const ring = await parseKeyRing(readFileSync(join(mesh.dataDir, DEV_KEY_FILE), 'utf8'));
  const signer = await TokenSigner.create(ring);
  const token = await signer.sign(
    { userId, email: `${userId}@example.com`, roles: ['customer'], permissions: [] },
    600,
  );
  return { userId, token };
}

/** A guest session id in the accepted format, unique per call. */
export function newSessionId(): string {
  return `guest-${newId()}`;
}

/** The mesh's bootstrap admin's access token (catalog editor). */
export async function adminToken(api: ReturnType<typeof clientsFor>): Promise<string> {
  return (await api.auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).accessToken;
}

/** Creates published products through the product service as the mesh's bootstrap admin. */
export async function productMaker(api: ReturnType<typeof clientsFor>) {
  const accessToken = await adminToken(api);
  return async (stock: number[], price = 1999): Promise<Product> => {
    const sku = `CART-${Math.random().toString(36).slice(2, 10).toUpperCase()}`;
    const { product } = await api.product.createProduct(
      CreateProductRequest.fromPartial({
        sku,
        name: 'Plain tee',
        slug: sku.toLowerCase(),
        description: 'A cotton tee',
        price: { currencyCode: 'EUR', amountMinor: price },
        variants: stock.map((initialStock, k) => ({ sku: `${sku}-${k}`, name: `Size ${k}`, initialStock })),
      }),
      { token: accessToken },
    );
    return product!;
  };
}
