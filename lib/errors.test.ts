import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { alreadyExists, AppError, clipText, invalidArguments, notFound, statusName } from './errors.js';

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

  it("quotes at most 100 characters of a caller's value, and never carries an unbounded message", () => {
    const huge = 'x'.repeat(1 << 20);
    expect(notFound('product', huge).message).to.equal(`product ${'x'.repeat(99)}… not found`);
    expect(alreadyExists('product', huge).message).to.have.length.below(150);
    expect(new AppError(status.NOT_FOUND, huge).message).to.have.length(1000);
    const long = 'y'.repeat(10_000);
    const many = Array.from({ length: 30 }, () => ({ field: long, description: long }));
    const error = invalidArguments(many);
    expect(error.message).to.have.length(1000);
    expect(error.violations).to.have.length(20);
    expect(error.violations![0]!.field).to.have.length(200);
    expect(error.violations![0]!.description).to.have.length(200);
  });

  it('clips without splitting a surrogate pair', () => {
    expect(clipText('ab😀cd', 4)).to.equal('ab…');
    expect(clipText('abc😀d', 5)).to.equal('abc…');
  });

  it('statusName gives the label used in logs and metrics', () => {
    expect(statusName(status.PERMISSION_DENIED)).to.equal('PERMISSION_DENIED');
    expect(statusName(status.OK)).to.equal('OK');
  });
});
