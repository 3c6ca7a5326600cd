import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { AppError } from '../errors.js';
import { allow } from './access-rule.js';
import type { Principal } from './principal.js';

function principal(roles: string[], permissions: string[]): Principal {
  return { userId: '0190a3c0-0000-7000-8000-000000000001', email: 'u1@example.com', roles, permissions };
}

const service: Principal = {
  userId: 'order',
  email: 'order@services.internal',
  roles: ['service'],
  permissions: [],
};

function failure(fn: () => void): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(AppError);
    return error as AppError;
  }
  expect.fail('expected the rule to refuse');
}

describe('access rules', () => {
  it('public lets anyone through, with or without a principal', () => {
    expect(() => allow.public().check(undefined)).not.to.throw();
    expect(() => allow.public().check(principal([], []))).not.to.throw();
  });

  it('a non-public rule without a principal is UNAUTHENTICATED "missing bearer token"', () => {
    for (const rule of [allow.authenticated(), allow.permission('product:write'), allow.internal()]) {
      const error = failure(() => rule.check(undefined));
      expect(error.code).to.equal(grpc.status.UNAUTHENTICATED);
      expect(error.message).to.equal('missing bearer token');
    }
  });

  it('authenticated accepts any principal', () => {
    expect(() => allow.authenticated().check(principal(['customer'], []))).not.to.throw();
  });

  it('permission needs the permission, `*`, or the admin role, and names what is missing', () => {
    const rule = allow.permission('product:write');
    expect(() => rule.check(principal(['staff'], ['product:write']))).not.to.throw();
    expect(() => rule.check(principal(['staff'], ['*']))).not.to.throw();
    expect(() => rule.check(principal(['admin'], []))).not.to.throw();
    const error = failure(() => rule.check(principal(['customer'], ['cart:own'])));
    expect(error.code).to.equal(grpc.status.PERMISSION_DENIED);
    expect(error.message).to.contain('product:write');
  });

  it('internal needs the service role; even an admin is refused', () => {
    expect(() => allow.internal().check(principal(['service'], []))).not.to.throw();
    expect(failure(() => allow.internal().check(principal(['admin'], ['*']))).code).to.equal(
      grpc.status.PERMISSION_DENIED,
    );
  });

  it('account and guestOrAccount refuse a service token with PERMISSION_DENIED, not a later failure', () => {
    for (const rule of [allow.account(), allow.guestOrAccount()]) {
      expect(() => rule.check(principal(['customer'], []))).not.to.throw();
      expect(() => rule.check(principal(['admin'], ['*']))).not.to.throw();
      const error = failure(() => rule.check(service));
      expect(error.code).to.equal(grpc.status.PERMISSION_DENIED);
      expect(error.message).to.contain('platform service');
    }
    expect(() => allow.guestOrAccount().check(undefined)).not.to.throw();
    expect(failure(() => allow.account().check(undefined)).code).to.equal(grpc.status.UNAUTHENTICATED);
  });

  it('permission refuses a service even if its token claimed every permission', () => {
    const claiming: Principal = { ...service, permissions: ['*'] };
    expect(failure(() => allow.permission('product:write').check(claiming)).code).to.equal(
      grpc.status.PERMISSION_DENIED,
    );
  });

  it('anyOf lets through whom one rule does, else answers with the first rule refusal', () => {
    const rule = allow.anyOf(allow.permission('product:write'), allow.internal());
    expect(() => rule.check(service)).not.to.throw();
    expect(() => rule.check(principal(['catalog_manager'], ['product:write']))).not.to.throw();
    expect(failure(() => rule.check(undefined)).code).to.equal(grpc.status.UNAUTHENTICATED);
    const refused = failure(() => rule.check(principal(['customer'], [])));
    expect(refused.code).to.equal(grpc.status.PERMISSION_DENIED);
    expect(refused.message).to.contain('product:write');
    expect(rule.description).to.equal('permission product:write or internal');
  });
});
