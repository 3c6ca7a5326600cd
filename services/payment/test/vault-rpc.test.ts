import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { AuthServiceClient } from '../../../gen/ecommerce/auth/v1/auth.js';
import {
  PaymentMethodType,
  PaymentServiceClient,
  type VaultPaymentMethodRequest,
} from '../../../gen/ecommerce/payment/v1/payment.js';
import { newId } from '../../../lib/ids.js';
import { failureOf, plainClient } from '../../../test/support/clients.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestMesh, type TestMesh } from '../../../test/support/mesh.js';
import { internalToken } from '../../../test/support/tokens.js';

function request(overrides: Partial<VaultPaymentMethodRequest> = {}): VaultPaymentMethodRequest {
  return {
    userId: newId(),
    type: PaymentMethodType.PAYMENT_METHOD_TYPE_CARD,
    provider: 'stripe',
    providerToken: `pm_${newId().replace(/-/g, '')}`,
    brand: 'visa',
    last4: '4242',
    expiryMonth: 12,
    expiryYear: 2030,
    idempotencyKey: `key-${newId()}`,
    ...overrides,
  };
}

describe('payment service: vault RPCs over gRPC', function () {
  this.timeout(120_000);
  let mesh: TestMesh;
  let payment: ReturnType<typeof plainClient<typeof PaymentServiceClient.service>>;
  let serviceToken: string;
  let adminToken: string;

  before(async () => {
    mesh = await startTestMesh(['auth', 'payment']);
    payment = plainClient(PaymentServiceClient, mesh.address('payment'));
    serviceToken = await internalToken(mesh, 'user');
    const auth = plainClient(AuthServiceClient, mesh.address('auth'));
    adminToken = (await auth.login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).accessToken;
    auth.close();
  });
  after(async () => {
    payment?.close();
    await mesh?.stop();
  });

  it('vaults for a service token and answers a repeat with the same reference', async () => {
    const body = request();
    const first = await payment.vaultPaymentMethod(body, { token: serviceToken });
    const again = await payment.vaultPaymentMethod(body, { token: serviceToken });
    expect(first.paymentMethod).to.include({
      userId: body.userId,
      brand: 'visa',
      last4: '4242',
      provider: 'stripe',
    });
    expect(again.paymentMethod!.id).to.equal(first.paymentMethod!.id);
    expect(JSON.stringify(first)).not.to.contain(body.providerToken);
  });

  it('refuses callers without a token (UNAUTHENTICATED) and non-service tokens, admins included (PERMISSION_DENIED)', async () => {
    expect((await failureOf(payment.vaultPaymentMethod(request()))).code).to.equal(status.UNAUTHENTICATED);
    const denied = await failureOf(payment.vaultPaymentMethod(request(), { token: adminToken }));
    expect(denied.code).to.equal(status.PERMISSION_DENIED);
    const deleteDenied = await failureOf(
      payment.deleteVaultedPaymentMethod(
        { userId: newId(), paymentMethodId: newId() },
        { token: adminToken },
      ),
    );
    expect(deleteDenied.code).to.equal(status.PERMISSION_DENIED);
  });

  it('answers INVALID_ARGUMENT naming every field at fault, and stores nothing', async () => {
    const body = request({
      userId: 'someone',
      type: PaymentMethodType.PAYMENT_METHOD_TYPE_UNSPECIFIED,
      provider: 'Stripe!',
      providerToken: 'short',
      brand: '',
      last4: '42',
      expiryMonth: 13,
      expiryYear: 99,
      idempotencyKey: 'k',
    });
    const failure = await failureOf(payment.vaultPaymentMethod(body, { token: serviceToken }));
    expect(failure.code).to.equal(status.INVALID_ARGUMENT);
    expect(failure.violations.map((v) => v.field)).to.deep.equal([
      'user_id',
      'type',
      'provider',
      'provider_token',
      'brand',
      'last4',
      'expiry_month',
      'expiry_year',
      'idempotency_key',
    ]);
    // Nothing stored under that key: a valid request with it vaults a new method.
    const fixed = await payment.vaultPaymentMethod(request({ idempotencyKey: 'k-fixed-1' }), {
      token: serviceToken,
    });
    expect(fixed.paymentMethod!.id).to.be.a('string');
  });

  it('answers FAILED_PRECONDITION for a key reused with a different card', async () => {
    const body = request();
    await payment.vaultPaymentMethod(body, { token: serviceToken });
    const failure = await failureOf(
      payment.vaultPaymentMethod({ ...body, last4: '0005' }, { token: serviceToken }),
    );
    expect(failure.code).to.equal(status.FAILED_PRECONDITION);
  });

  it('deletes a vaulted method once, and a repeat succeeds reporting nothing deleted', async () => {
    const body = request();
    const { paymentMethod } = await payment.vaultPaymentMethod(body, { token: serviceToken });
    const ids = { userId: body.userId, paymentMethodId: paymentMethod!.id };
    expect(await payment.deleteVaultedPaymentMethod(ids, { token: serviceToken })).to.deep.equal({
      deleted: true,
    });
    expect(await payment.deleteVaultedPaymentMethod(ids, { token: serviceToken })).to.deep.equal({
      deleted: false,
    });
    const bad = await failureOf(
      payment.deleteVaultedPaymentMethod(
        { userId: body.userId, paymentMethodId: 'x' },
        { token: serviceToken },
      ),
    );
    expect(bad.code).to.equal(status.INVALID_ARGUMENT);
    expect(bad.violations).to.deep.equal([{ field: 'payment_method_id', description: 'must be a UUID' }]);
  });
});
