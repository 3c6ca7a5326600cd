import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { AppError } from '../errors.js';
import { allow } from './access-rule.js';
import type { Principal } from './principal.js';

function principal(roles: string[], permissions: string[]): Principal {
  return { userId: 'u1', email: 'u1@example.com', roles, permissions };
}

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
});
