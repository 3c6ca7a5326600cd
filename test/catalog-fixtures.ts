import {
  CreateProductRequest,
  type CreateVariant,
  type Product,
} from '../gen/ecommerce/product/v1/product.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from './support/mesh.js';
import { clientsFor } from './support/clients.js';
import { internalToken } from './support/tokens.js';
import { unique } from './support/unique.js';

/** Shared set-up of the catalog, inventory and review suites: auth + product over real gRPC. */
export interface CatalogWorld {
  mesh: TestMesh;
  api: ReturnType<typeof clientsFor>;
  adminToken: string;
  serviceToken: string;
  /** A fresh customer's token and user id. */
  customer(): Promise<{ token: string; userId: string }>;
  /** A product with the given variants (default: one variant "M" with `stock` units), published. */
  createProduct(
    options?: Omit<Partial<CreateProductRequest>, 'variants'> & {
      stock?: number;
      variants?: Partial<CreateVariant>[];
    },
  ): Promise<Product>;
  stop(): Promise<void>;
}

export async function startCatalogWorld(): Promise<CatalogWorld> {
  const mesh = await startTestMesh(['auth', 'product']);
  const api = clientsFor((name) => mesh.address(name));
  const adminToken = (await api.auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).accessToken;
  const serviceToken = await internalToken(mesh, 'order');
  return {
    mesh,
    api,
    adminToken,
    serviceToken,
    async customer() {
      const email = `${unique('shopper')}@example.com`;
      const password = 'correct-horse-42';
      const { userId } = await api.auth.register({ email, password, firstName: 'Ada', lastName: 'Lovelace' });
      const { accessToken } = await api.auth.login({ email, password });
      return { token: accessToken, userId };
    },
    async createProduct(options = {}) {
      const { stock = 10, variants, ...rest } = options;
      const sku = unique('SKU').toUpperCase();
      const { product } = await api.product.createProduct(
        CreateProductRequest.fromPartial({
          sku,
          name: 'Plain tee',
          slug: unique('tee'),
          description: 'A cotton tee',
          price: { currencyCode: 'EUR', amountMinor: 1999 },
          variants: (variants ?? [{ name: 'M', initialStock: stock } as Partial<CreateVariant>]).map(
            (variant, k) => ({
              ...variant,
              sku: variant.sku ?? `${sku}-${k}`,
              name: variant.name ?? `Variant ${k}`,
            }),
          ),
          ...rest,
        }),
        { token: adminToken },
      );
      return product!;
    },
    async stop() {
      for (const client of Object.values(api)) client.close();
      await mesh.stop();
    },
  };
}
