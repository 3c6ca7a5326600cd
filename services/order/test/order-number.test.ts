import { expect } from 'chai';
import { openScratchDatabase, type ScratchDatabase } from '../../../lib/testing/scratch-database.js';
import { orderDatabase } from '../src/database.js';
import {
  dammCheckDigit,
  formatOrderNumber,
  hasOrderNumberShape,
  isWellFormedOrderNumber,
  nextOrderNumber,
  ORDER_NUMBER_BLOCK,
  normalizedOrderNumber,
} from '../src/domain/order-number.js';

/** Every string that differs from `digits` by one mistyped digit. */
function singleDigitTypos(digits: string): string[] {
  const typos: string[] = [];
  for (let i = 0; i < digits.length; i++) {
    for (let d = 0; d <= 9; d++) {
      if (String(d) !== digits[i]) typos.push(`${digits.slice(0, i)}${d}${digits.slice(i + 1)}`);
    }
  }
  return typos;
}

/** Every string that differs from `digits` by two adjacent (different) digits swapped. */
function adjacentSwaps(digits: string): string[] {
  const swaps: string[] = [];
  for (let i = 0; i + 1 < digits.length; i++) {
    if (digits[i] !== digits[i + 1]) {
      swaps.push(`${digits.slice(0, i)}${digits[i + 1]}${digits[i]}${digits.slice(i + 2)}`);
    }
  }
  return swaps;
}

/** "ORD-<n>-<c>" back from the digits n followed by c. */
const asOrderNumber = (digitsAndCheck: string) =>
  `ORD-${digitsAndCheck.slice(0, -1)}-${digitsAndCheck.slice(-1)}`;

describe('order numbers (a sequence and a Damm check digit)', function () {
  this.timeout(120_000);

  it('formats a sequence value as ORD-<number>-<check digit>, the digit the Damm algorithm gives', () => {
    // Reference values of the Damm algorithm: 572 → 4, and the check digit makes the whole string 0.
    expect(dammCheckDigit('572')).to.equal(4);
    expect(dammCheckDigit('5724')).to.equal(0);
    expect(formatOrderNumber(1000042)).to.equal(`ORD-1000042-${dammCheckDigit('1000042')}`);
    expect(formatOrderNumber(1000000n)).to.match(/^ORD-1000000-\d$/);
    expect(isWellFormedOrderNumber(formatOrderNumber(1000042))).to.equal(true);
  });

  it('catches every single mistyped digit and every swap of two adjacent digits, the check digit included', () => {
    const values = [1000000, 1000001, 1000042, 1234567, 9999999, 10000000, 98765432109];
    for (let i = 0; i < 300; i++) values.push(1_000_000 + Math.floor(Math.random() * 1e12));
    let checked = 0;
    for (const value of values) {
      const number = formatOrderNumber(value);
      expect(isWellFormedOrderNumber(number), number).to.equal(true);
      const digits = `${value}${dammCheckDigit(String(value))}`;
      for (const wrong of [...singleDigitTypos(digits), ...adjacentSwaps(digits)]) {
        const typed = asOrderNumber(wrong);
        // A typo that makes the number start with 0 or grow shorter than 7 digits is refused by its shape.
        expect(isWellFormedOrderNumber(typed), `${number} typed as ${typed}`).to.equal(false);
        checked++;
      }
    }
    expect(checked).to.be.greaterThan(30_000);
  });

  it('tells a malformed number from a mistyped one, and forgives spaces and lower case', () => {
    for (const text of [
      '',
      'ORD-',
      'ORD-123-4',
      'ORD-0100000-1',
      'ORD-1000042',
      '1000042-7',
      'ORD-1000042-77',
      'ORD-10000x2-7',
    ]) {
      expect(hasOrderNumberShape(text), text).to.equal(false);
      expect(isWellFormedOrderNumber(text), text).to.equal(false);
    }
    const right = formatOrderNumber(1000042);
    const wrongDigit = `${right.slice(0, -1)}${(Number(right.slice(-1)) + 1) % 10}`;
    expect(hasOrderNumberShape(wrongDigit)).to.equal(true);
    expect(isWellFormedOrderNumber(wrongDigit)).to.equal(false);
    expect(normalizedOrderNumber(`  ${right.toLowerCase()} `)).to.equal(right);
  });

  describe('from the database sequence', () => {
    let db: ScratchDatabase;
    before(async () => {
      db = await openScratchDatabase('order_numbers', orderDatabase);
    });
    after(async () => {
      await db?.drop();
    });

    it('hands out 200 different, well-formed numbers to 200 concurrent calls, from 1000000 on', async () => {
      const numbers = await Promise.all(Array.from({ length: 200 }, () => nextOrderNumber(db.orm.em.fork())));
      expect(new Set(numbers).size).to.equal(200);
      for (const number of numbers) expect(isWellFormedOrderNumber(number), number).to.equal(true);
      const values = numbers.map((number) => Number(number.split('-')[1])).sort((a, b) => a - b);
      expect(values[0]).to.equal(1_000_000);
      expect(values[199]).to.equal(1_000_199);
    });

    it('takes the sequence a block at a time: one statement for a block of numbers, then the next', async () => {
      const em = db.orm.em.fork();
      let statements = 0;
      const onQuery = db.orm.config.get('onQuery');
      db.orm.config.set('onQuery', (sql: string, params: unknown[]) => {
        if (sql.includes('order_number_seq')) statements++;
        return onQuery(sql, params);
      });
      try {
        const numbers: string[] = [];
        for (let i = 0; i < ORDER_NUMBER_BLOCK + 1; i++) numbers.push(await nextOrderNumber(em));
        expect(statements).to.be.within(1, 2);
        const values = numbers.map((number) => Number(number.split('-')[1]));
        expect(values, 'rising').to.deep.equal([...values].sort((a, b) => a - b));
        expect(new Set(values).size).to.equal(values.length);
      } finally {
        db.orm.config.set('onQuery', onQuery);
      }
    });

    it('never hands a number out twice, even to a transaction that rolled back', async () => {
      let inRolledBack = '';
      await db.orm.em
        .fork()
        .transactional(async (tx) => {
          inRolledBack = await nextOrderNumber(tx);
          throw new Error('roll back');
        })
        .catch(() => {});
      const after = await nextOrderNumber(db.orm.em.fork());
      expect(after).to.not.equal(inRolledBack);
      expect(Number(after.split('-')[1])).to.be.greaterThan(Number(inRolledBack.split('-')[1]));
    });
  });
});
