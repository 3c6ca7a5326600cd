import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import { AppError } from '../errors.js';
import { checked, requireText, requireUuid, Violations } from './violations.js';

const ID = '0190A3C0-0000-7000-8000-00000000000A';

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(AppError);
    return error as AppError;
  }
  expect.fail('expected INVALID_ARGUMENT');
}

describe('validation: Violations', () => {
  it('collects every field at fault and refuses them at once, in order', () => {
    const v = new Violations();
    expect(v.uuid('cart_id', ID)).to.equal(ID.toLowerCase());
    v.uuid('item_id', ` ${ID}`);
    v.uuid('product_id', '');
    v.uuid('variant_id', 'nope');
    expect(v.optionalUuid('coupon_id', '')).to.equal(null);
    v.text('first_name', '  ', 1, 100);
    expect(v.optionalText('company', ' ', 10)).to.equal(null);
    v.optionalText('line2', 'x'.repeat(11), 10);
    v.wholeNumber('quantity', 1.5, 1, 99);
    v.wholeNumber('quantity_again', 100, 1, 99);
    expect(v.has('variant_id')).to.equal(true);
    const error = refusal(() => v.throwIfAny());
    expect(error.code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(error.violations).to.deep.equal([
      { field: 'item_id', description: 'must be a UUID' },
      { field: 'product_id', description: 'is required' },
      { field: 'variant_id', description: 'must be a UUID' },
      { field: 'first_name', description: 'is required' },
      { field: 'line2', description: 'must be at most 10 characters' },
      { field: 'quantity', description: 'must be a whole number from 1 to 99' },
      { field: 'quantity_again', description: 'must be a whole number from 1 to 99' },
    ]);
  });

  it('a request without faults passes', () => {
    const v = new Violations();
    v.text('name', ' Ada ', 1, 10);
    expect(() => v.throwIfAny()).not.to.throw();
  });

  it('requireUuid and requireText refuse one field at once', () => {
    expect(requireUuid('user_id', ID)).to.equal(ID.toLowerCase());
    expect(refusal(() => requireUuid('user_id', 'u1')).violations).to.deep.equal([
      { field: 'user_id', description: 'must be a UUID' },
    ]);
    expect(requireText('reason', ' why ', 10)).to.equal('why');
    expect(refusal(() => requireText('reason', '', 10)).violations).to.deep.equal([
      { field: 'reason', description: 'is required' },
    ]);
    expect(refusal(() => requireText('reason', 'x'.repeat(11), 10)).violations).to.deep.equal([
      { field: 'reason', description: 'must be at most 10 characters' },
    ]);
  });

  it('an email is trimmed and lower-cased, and refused when missing, too long or not shaped like one', () => {
    const v = new Violations();
    expect(v.email('guest_email', ' Ada@Example.COM ')).to.equal('ada@example.com');
    expect(() => v.throwIfAny()).not.to.throw();
    for (const [value, description] of [
      ['', 'is required'],
      ['ada@example', 'must be a valid email address'],
      ['a da@example.com', 'must be a valid email address'],
      [`${'a'.repeat(250)}@x.io`, 'must be at most 254 characters'],
    ] as const) {
      expect(refusal(() => checked((c) => c.email('guest_email', value))).violations).to.deep.equal([
        { field: 'guest_email', description },
      ]);
    }
  });
});
