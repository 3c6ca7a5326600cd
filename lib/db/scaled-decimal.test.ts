import { expect } from 'chai';
import { decimalOfScaledInteger, scaledIntegerOf } from './scaled-decimal.js';

describe('lib/db/scaled-decimal: measures as integers of a smaller unit', () => {
  it('kilograms with three decimals are exact grams, both ways', () => {
    for (const [kg, grams] of [
      ['0.000', 0],
      ['1.250', 1250],
      ['0.001', 1],
      ['7', 7000],
      ['9999999.999', 9_999_999_999],
    ] as const) {
      expect(scaledIntegerOf(kg, 3), kg).to.equal(grams);
    }
    expect(decimalOfScaledInteger(1250, 3)).to.equal('1.250');
    expect(decimalOfScaledInteger(1, 3)).to.equal('0.001');
    expect(decimalOfScaledInteger(0, 3)).to.equal('0.000');
    expect(decimalOfScaledInteger(9_999_999_999, 3)).to.equal('9999999.999');
  });

  it('centimetres with two decimals become millimetres rounded half up', () => {
    expect(scaledIntegerOf('12.30', 1)).to.equal(123);
    expect(scaledIntegerOf('12.34', 1)).to.equal(123);
    expect(scaledIntegerOf('12.35', 1)).to.equal(124);
    expect(scaledIntegerOf('0.05', 1)).to.equal(1);
    expect(scaledIntegerOf('-0.05', 1)).to.equal(-1);
    expect(decimalOfScaledInteger(123, 1)).to.equal('12.3');
    expect(decimalOfScaledInteger(-5, 1)).to.equal('-0.5');
    expect(decimalOfScaledInteger(42, 0)).to.equal('42');
  });

  it('refuses what is not a decimal or not an integer', () => {
    expect(() => scaledIntegerOf('1e3', 3)).to.throw(TypeError);
    expect(() => scaledIntegerOf('', 3)).to.throw(TypeError);
    expect(() => decimalOfScaledInteger(1.5, 3)).to.throw(TypeError);
  });
});
