import { create, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema, MethodOptions_IdempotencyLevel } from '@bufbuild/protobuf/wkt';
import { expect } from 'chai';
import { createIdempotencyIndex, isRetryable } from './idempotency.js';

describe('idempotency from the contract', () => {
  it('reads idempotency_level of each method from a descriptor set', () => {
    const level = (idempotencyLevel: MethodOptions_IdempotencyLevel) => ({ options: { idempotencyLevel } });
    const set = create(FileDescriptorSetSchema, {
      file: [
        {
          name: 'shop/v1/shop.proto',
          package: 'shop.v1',
          service: [
            {
              name: 'Shop',
              method: [
                { name: 'Get', ...level(MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS) },
                { name: 'Put', ...level(MethodOptions_IdempotencyLevel.IDEMPOTENT) },
                { name: 'Pay', ...level(MethodOptions_IdempotencyLevel.IDEMPOTENCY_UNKNOWN) },
                { name: 'Order' },
              ],
            },
          ],
        },
      ],
    });
    const index = createIdempotencyIndex(toBinary(FileDescriptorSetSchema, set));
    expect(index.isRetryable('/shop.v1.Shop/Get')).to.equal(true);
    expect(index.isRetryable('/shop.v1.Shop/Put')).to.equal(true);
    expect(index.isRetryable('/shop.v1.Shop/Pay')).to.equal(false);
    expect(index.isRetryable('/shop.v1.Shop/Order')).to.equal(false);
    expect(index.isRetryable('/shop.v1.Elsewhere/Get')).to.equal(false);
  });

  it('knows the platform contracts from gen/descriptor.binpb', () => {
    expect(isRetryable('/ecommerce.auth.v1.AuthService/GetJwks')).to.equal(true);
    expect(isRetryable('/ecommerce.product.v1.ProductService/GetProduct')).to.equal(true);
    expect(isRetryable('/ecommerce.auth.v1.AuthService/Login')).to.equal(false);
    expect(isRetryable('/ecommerce.auth.v1.AuthService/Register')).to.equal(false);
  });
});
