import { expect } from 'chai';
import { checkPasswordPolicy } from '../src/domain/password-policy.js';

describe('password policy counts Unicode code points, as the contract says', () => {
  const violation = (password: string) => {
    try {
      checkPasswordPolicy(password, 'someone@example.com');
      return undefined;
    } catch (error) {
      return (error as { violations?: unknown }).violations;
    }
  };

  it('refuses six code points of which four are emoji (ten UTF-16 units)', () => {
    expect(violation('ab😀😀😀😀')).to.deep.equal([
      { field: 'password', description: 'must be at least 10 characters' },
    ]);
  });

  it('accepts ten code points with emoji, and 128 emoji but not 129', () => {
    expect(violation('abcdefgh😀😀')).to.equal(undefined);
    expect(violation('a' + '😀'.repeat(127))).to.equal(undefined);
    expect(violation('a' + '😀'.repeat(128))).to.deep.equal([
      { field: 'password', description: 'must be at most 128 characters' },
    ]);
  });
});
