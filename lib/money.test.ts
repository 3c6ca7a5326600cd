import { expect } from 'chai';
import { AppError } from './errors.js';
import { isCurrencyCode, MAX_AMOUNT_MINOR, minorUnitExponent, requireMoney } from './money.js';
import { MoneyType } from './db/money-type.js';

describe('money: ISO 4217 currencies', () => {
  it('knows the minor-unit exponent of real codes, including where CLDR (Intl) differs from the standard', () => {
    const exponents = Object.fromEntries(
      ['JPY', 'KRW', 'EUR', 'USD', 'BHD', 'KWD', 'JOD', 'TND', 'CLF', 'UYW', 'IQD', 'HUF', 'XCG'].map(
        (code) => [code, minorUnitExponent(code)],
      ),
    );
    expect(exponents).to.deep.equal({
      JPY: 0,
      KRW: 0,
      EUR: 2,
      USD: 2,
      BHD: 3,
      KWD: 3,
      JOD: 3,
      TND: 3,
      CLF: 4,
      UYW: 4,
      IQD: 3,
      HUF: 2,
      XCG: 2,
    });
  });

  it('refuses made-up, lower-case, withdrawn and unit-less codes', () => {
    for (const code of ['QQQ', 'eur', 'EURO', '', 'DEM', 'HRK', 'XAU', 'XXX', 'XTS']) {
      expect(isCurrencyCode(code), code).to.equal(false);
      expect(() => minorUnitExponent(code), code).to.throw(RangeError);
      let refused: unknown;
      try {
        requireMoney({ currencyCode: code, amountMinor: 100 }, 'price');
      } catch (error) {
        refused = error;
      }
      expect(refused, code).to.be.instanceOf(AppError);
      expect((refused as AppError).violations).to.deep.equal([
        { field: 'price.currency_code', description: 'must be an ISO 4217 code such as EUR' },
      ]);
    }
  });

  it('accepts a real currency up to the largest amount the money column holds', () => {
    expect(requireMoney({ currencyCode: 'JPY', amountMinor: MAX_AMOUNT_MINOR }, 'price')).to.deep.equal({
      currencyCode: 'JPY',
      amountMinor: MAX_AMOUNT_MINOR,
    });
    expect(MAX_AMOUNT_MINOR).to.equal(MoneyType.MAX_MINOR_UNITS);
  });
});
