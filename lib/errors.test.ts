import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { AppError, invalidArguments, notFound, statusName } from './errors.js';

describe('AppError constructors', () => {
  it('invalidArguments keeps every violation and lists them in the message', () => {
    const error = invalidArguments([
      { field: 'email', description: 'is required' },
      { field: 'lines[0].quantity', description: 'must be at least 1' },
    ]);
    expect(error).to.be.instanceOf(AppError);
    expect(error.code).to.equal(status.INVALID_ARGUMENT);
    expect(error.message).to.equal('email: is required; lines[0].quantity: must be at least 1');
    expect(error.violations).to.have.length(2);
  });

  it('notFound names what and, when given, which', () => {
    expect(notFound('order').message).to.equal('order not found');
    expect(notFound('order', 'o-1').message).to.equal('order o-1 not found');
  });

  it('statusName gives the label used in logs and metrics', () => {
    expect(statusName(status.PERMISSION_DENIED)).to.equal('PERMISSION_DENIED');
    expect(statusName(status.OK)).to.equal('OK');
  });
});
