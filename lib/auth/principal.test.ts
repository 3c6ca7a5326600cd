import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { AppError } from '../errors.js';
import { accountIdOf, callerHolds, kindOf, type Principal } from './principal.js';

const customer: Principal = {
  userId: '0190a3c0-0000-7000-8000-000000000001',
  email: 'c@example.com',
  roles: ['customer'],
  permissions: [],
};
const service: Principal = {
  userId: 'cart',
  email: 'cart@services.internal',
  roles: ['service'],
  permissions: [],
};

function codeOf(fn: () => unknown): grpc.status {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(AppError);
    return (error as AppError).code;
  }
  expect.fail('expected a refusal');
}

describe('principal', () => {
  it('tells an account from a platform service by the service role', () => {
    expect(kindOf(customer)).to.equal('account');
    expect(kindOf({ ...customer, roles: ['admin'] })).to.equal('account');
    expect(kindOf(service)).to.equal('service');
  });

  it('accountIdOf is the account user id, and PERMISSION_DENIED for a service or no caller', () => {
    expect(accountIdOf(customer)).to.equal(customer.userId);
    expect(codeOf(() => accountIdOf(service))).to.equal(grpc.status.PERMISSION_DENIED);
    expect(codeOf(() => accountIdOf(undefined))).to.equal(grpc.status.PERMISSION_DENIED);
    // A token whose subject is not a user id is no account, whatever its roles say.
    expect(codeOf(() => accountIdOf({ ...customer, userId: 'cart' }))).to.equal(
      grpc.status.PERMISSION_DENIED,
    );
  });

  it('callerHolds: no caller and a service hold no permission', () => {
    expect(callerHolds({ ...customer, permissions: ['product:write'] }, 'product:write')).to.equal(true);
    expect(callerHolds({ ...customer, roles: ['admin'] }, 'product:write')).to.equal(true);
    expect(callerHolds(customer, 'product:write')).to.equal(false);
    expect(callerHolds(undefined, 'product:write')).to.equal(false);
    expect(callerHolds({ ...service, permissions: ['*'] }, 'product:write')).to.equal(false);
  });
});
