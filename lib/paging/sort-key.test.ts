import { expect } from 'chai';
import { isDecimalKey, isTimestampKey } from './sort-key.js';

describe('sort keys of page tokens', () => {
  it('a timestamp as PostgreSQL prints it, or ISO, is a timestamp key', () => {
    for (const text of [
      '2024-03-01 12:34:56.123456+00',
      '2024-03-01 12:34:56+05:30',
      '2024-02-29T23:59:59.5Z',
      '2024-12-31T00:00:00.000000Z',
      '2023-06-15 08:00:00',
    ]) {
      expect(isTimestampKey(text), text).to.equal(true);
    }
  });

  it('an impossible date or time is not, though it has the right shape', () => {
    for (const text of [
      '2024-13-45 12:00:00+00',
      '2024-00-10 12:00:00+00',
      '2023-02-29 12:00:00+00',
      '2024-04-31T12:00:00Z',
      '2024-03-01 24:00:00+00',
      '2024-03-01 12:60:00+00',
      '2024-03-01 12:00:61+00',
      '2024-03-01 12:00:00+16',
      '0000-01-01 00:00:00+00',
      '2024-03-01 12:00:00.1234567+00',
      '2024-03-01',
      'yesterday',
      '',
    ]) {
      expect(isTimestampKey(text), text).to.equal(false);
    }
  });

  it('a decimal is a plain number of at most 20 digits each side, nothing else', () => {
    for (const text of ['0', '19.99', '-3.5', '4.50', '12345678901234567890']) {
      expect(isDecimalKey(text), text).to.equal(true);
    }
    for (const text of [
      '',
      '1e5',
      'NaN',
      'Infinity',
      '01',
      '1.',
      '.5',
      '+1',
      '1 ',
      '123456789012345678901',
    ]) {
      expect(isDecimalKey(text), text).to.equal(false);
    }
  });
});
