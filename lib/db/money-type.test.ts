import { expect } from 'chai';
import { decimalToMinorUnits, minorUnitsToDecimal, MoneyType } from './money-type.js';

describe('lib/db/money-type: numeric(12,2) ⇄ integer minor units', () => {
  it('writes minor units as an exact two-decimal string', () => {
    expect(minorUnitsToDecimal(1234)).to.equal('12.34');
    expect(minorUnitsToDecimal(5)).to.equal('0.05');
    expect(minorUnitsToDecimal(0)).to.equal('0.00');
    expect(minorUnitsToDecimal(-5)).to.equal('-0.05');
    expect(minorUnitsToDecimal(-120)).to.equal('-1.20');
    expect(minorUnitsToDecimal(999_999_999_999)).to.equal('9999999999.99');
  });

  it('reads the decimal back without float arithmetic', () => {
    expect(decimalToMinorUnits('12.34')).to.equal(1234);
    expect(decimalToMinorUnits('12.3')).to.equal(1230);
    expect(decimalToMinorUnits('7')).to.equal(700);
    expect(decimalToMinorUnits('0.10')).to.equal(10);
    expect(decimalToMinorUnits('-0.05')).to.equal(-5);
    expect(decimalToMinorUnits('-0.00')).to.equal(0);
    expect(decimalToMinorUnits('1.2300')).to.equal(123);
    expect(decimalToMinorUnits('9999999999.99')).to.equal(999_999_999_999);
    // 0.1 + 0.2 style traps do not exist here: every value of the column round-trips.
    for (const minor of [1, 10, 29, 57, 100, 1005, 4_503_599_627, 999_999_999_999]) {
      expect(decimalToMinorUnits(minorUnitsToDecimal(minor))).to.equal(minor);
    }
  });

  it('refuses what it cannot represent exactly', () => {
    expect(() => minorUnitsToDecimal(12.5)).to.throw(TypeError);
    expect(() => minorUnitsToDecimal(Number.NaN)).to.throw(TypeError);
    expect(() => minorUnitsToDecimal(1_000_000_000_000)).to.throw(RangeError);
    expect(() => decimalToMinorUnits('1.234')).to.throw(RangeError);
    expect(() => decimalToMinorUnits('abc')).to.throw(TypeError);
    expect(() => decimalToMinorUnits('1e5')).to.throw(TypeError);
  });

  it('maps through the MikroORM type, passing null through', () => {
    const type = new MoneyType();
    expect(type.convertToDatabaseValue(1999)).to.equal('19.99');
    expect(type.convertToJSValue('19.99')).to.equal(1999);
    expect(type.convertToJSValue(19.99)).to.equal(1999);
    expect(type.convertToJSValue(null)).to.equal(null);
    expect(type.convertToDatabaseValue(undefined)).to.equal(undefined);
  });
});
