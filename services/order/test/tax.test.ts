import { expect } from 'chai';
import fc from 'fast-check';
import { MAX_AMOUNT_MINOR } from '../../../lib/money.js';
import { computeTax, type TaxInput, type TaxLineInput } from '../src/domain/tax/compute-tax.js';
import { exampleTaxRateTable } from '../src/domain/tax/default-rates.js';
import { taxRateTableFrom, type TaxRateEntryJson } from '../src/domain/tax/rate-table.js';
import { formatPercentage, parsePercentage, PPM } from '../src/domain/tax/tax-rate.js';

const examples = exampleTaxRateTable();

function line(lineId: string, amountMinor: number, taxClass?: string, quantity = 1): TaxLineInput {
  return { lineId, amountMinor, quantity, ...(taxClass === undefined ? {} : { taxClass }) };
}

function order(overrides: Partial<TaxInput>): TaxInput {
  return {
    currencyCode: 'EUR',
    destination: { country: 'DE' },
    lines: [],
    shippingMinor: 0,
    pricesIncludeTax: false,
    ...overrides,
  };
}

/** [net, tax, gross, rate] of each line, then of the shipping: the numbers of the worked examples. */
function splits(result: ReturnType<typeof computeTax>) {
  return [...result.lines, result.shipping].map((s) => [s.netMinor, s.taxMinor, s.grossMinor, s.rate]);
}

describe('order service: tax', () => {
  describe('golden examples (docs/tax.md)', () => {
    it('Germany, prices including 19 % VAT: a 10 % discount on every line, a book at the reduced 7 %, taxed shipping', () => {
      const result = computeTax(
        examples,
        order({
          destination: { country: 'DE' },
          lines: [
            line('jacket', 8999 - 900),
            line('socks', 3750 - 375, undefined, 3),
            line('book', 2400 - 240, 'reduced'),
          ],
          shippingMinor: 490,
          pricesIncludeTax: true,
        }),
      );
      expect(result.jurisdiction).to.equal('DE');
      expect(splits(result)).to.deep.equal([
        [6806, 1293, 8099, '19'], // 8099 / 1.19 = 6805.88 → 6806
        [2836, 539, 3375, '19'], // 3375 / 1.19 = 2836.13 → 2836
        [2019, 141, 2160, '7'], // 2160 / 1.07 = 2018.69 → 2019
        [412, 78, 490, '19'], // 490 / 1.19 = 411.76 → 412
      ]);
      expect(result.shipping.taxed).to.equal(true);
      expect(result.lineTaxMinor).to.equal(1973);
      expect(result.taxTotalMinor).to.equal(2051);
      expect(result.netTotalMinor).to.equal(12073);
      expect(result.grossTotalMinor).to.equal(14124);
    });

    it('New York, 8.875 % sales tax added to the discounted lines and to the discounted shipping', () => {
      const result = computeTax(
        examples,
        order({
          currencyCode: 'USD',
          destination: { country: 'US', region: 'NY' },
          lines: [line('mug', 4998 - 500, undefined, 2), line('poster', 1500 - 150)],
          shippingMinor: 795 - 200,
        }),
      );
      expect(result.jurisdiction).to.equal('US-NY');
      expect(splits(result)).to.deep.equal([
        [4498, 399, 4897, '8.875'], // 4498 × 0.08875 = 399.1975 → 399
        [1350, 120, 1470, '8.875'], // 1350 × 0.08875 = 119.8125 → 120
        [595, 53, 648, '8.875'], // 595 × 0.08875 = 52.80625 → 53
      ]);
      expect(result.lines[0]!.ratePpm).to.equal(88_750);
      expect(result.taxTotalMinor).to.equal(572);
      expect(result.netTotalMinor).to.equal(6443);
      expect(result.grossTotalMinor).to.equal(7015);
    });

    it('California leaves shipping untaxed, as its entry says', () => {
      const result = computeTax(
        examples,
        order({
          currencyCode: 'USD',
          destination: { country: 'US', region: 'CA' },
          lines: [line('a', 200)],
          shippingMinor: 999,
        }),
      );
      expect(result.shipping).to.deep.equal({
        taxed: false,
        netMinor: 999,
        taxMinor: 0,
        grossMinor: 999,
        ratePpm: 0,
        rate: '0',
      });
      expect(result.lines[0]!.taxMinor).to.equal(15); // 200 × 0.0725 = 14.5 → 15
    });

    it('Japan in yen (no decimals): 10 %, food at the reduced 8 %, rounded to whole yen', () => {
      const result = computeTax(
        examples,
        order({
          currencyCode: 'JPY',
          destination: { country: 'JP' },
          lines: [line('kettle', 1235), line('tea', 648, 'reduced')],
          shippingMinor: 550,
        }),
      );
      expect(splits(result)).to.deep.equal([
        [1235, 124, 1359, '10'], // ¥123.5 → ¥124
        [648, 52, 700, '8'], // ¥51.84 → ¥52
        [550, 55, 605, '10'],
      ]);
      expect(result.taxTotalMinor).to.equal(231);
      expect(result.grossTotalMinor).to.equal(2664);
    });

    it('Kuwait in dinars (3 decimals): its entry is 0 %, found and applied, unlike a destination with no entry', () => {
      const result = computeTax(
        examples,
        order({
          currencyCode: 'KWD',
          destination: { country: 'KW' },
          lines: [line('lamp', 12_345)],
          shippingMinor: 2_500,
        }),
      );
      expect(result.jurisdiction).to.equal('KW');
      expect(splits(result)).to.deep.equal([
        [12_345, 0, 12_345, '0'],
        [2_500, 0, 2_500, '0'],
      ]);
    });

    it('in dinars at 5 %, tax rounds to the fils (0.001 KWD)', () => {
      const table = taxRateTableFrom([{ country: 'KW', rate: '5', shippingTaxed: true }]);
      const result = computeTax(
        table,
        order({
          currencyCode: 'KWD',
          destination: { country: 'KW' },
          lines: [line('a', 12_345), line('b', 1_235)],
        }),
      );
      // 12.345 KWD × 5 % = 0.61725 → 0.617; 1.235 KWD × 5 % = 0.06175 → 0.062
      expect(result.lines.map((l) => l.taxMinor)).to.deep.equal([617, 62]);
    });
  });

  describe('rounding: half-up per line, in exact integers', () => {
    const at = (rate: string, pricesIncludeTax: boolean, amountMinor: number) => {
      const table = taxRateTableFrom([{ country: 'DE', rate, shippingTaxed: true }]);
      const { netMinor, taxMinor } = computeTax(
        table,
        order({ lines: [line('a', amountMinor)], pricesIncludeTax }),
      ).lines[0]!;
      return [netMinor, taxMinor];
    };

    it('adds tax rounded half-up: an exact half goes up, a hair below goes down', () => {
      expect(at('19', false, 50), '9.5').to.deep.equal([50, 10]);
      expect(at('1', false, 250), '2.5 (half-even would give 2)').to.deep.equal([250, 3]);
      expect(at('1', false, 249), '2.49').to.deep.equal([249, 2]);
      expect(at('8.875', false, 400), '35.5').to.deep.equal([400, 36]);
      expect(at('7.25', false, 3000), '217.5 (200 × 0.0725 in floats is 217.49999…)').to.deep.equal([
        3000, 218,
      ]);
    });

    it('extracts included tax as gross − round-half-up(gross / (1 + rate))', () => {
      expect(at('20', true, 9), '9 / 1.2 = 7.5').to.deep.equal([8, 1]);
      expect(at('20', true, 3), '3 / 1.2 = 2.5').to.deep.equal([3, 0]);
      expect(at('4', true, 13), '13 / 1.04 = 12.5').to.deep.equal([13, 0]);
      expect(at('19', true, 119), '119 / 1.19 = 100').to.deep.equal([100, 19]);
    });

    it('rounds each line on its own: two lines of 0.5 cent tax are 1 + 1, not round(1.0)', () => {
      const table = taxRateTableFrom([{ country: 'DE', rate: '1', shippingTaxed: true }]);
      const result = computeTax(table, order({ lines: [line('a', 50), line('b', 50)] }));
      expect(result.lines.map((l) => l.taxMinor)).to.deep.equal([1, 1]);
      expect(result.taxTotalMinor).to.equal(2);
    });

    it('stays exact at the largest amount the platform stores, where amount × rate passes 2^53', () => {
      expect(at('8.875', false, MAX_AMOUNT_MINOR)).to.deep.equal([MAX_AMOUNT_MINOR, 88_750_000_000]);
      expect(at('19', true, MAX_AMOUNT_MINOR)).to.deep.equal([840_336_134_453, 159_663_865_546]);
      expect(at('0.0001', false, MAX_AMOUNT_MINOR)).to.deep.equal([MAX_AMOUNT_MINOR, 1_000_000]);
      // gross / 1.2 = 503 828 816 657.5 exactly; in floating point it is 503 828 816 657.49997
      expect(at('20', true, 604_594_579_989)).to.deep.equal([503_828_816_658, 100_765_763_331]);
      expect(at('8.875', false, 999_999_999_600), '…964.5').to.deep.equal([999_999_999_600, 88_749_999_965]);
    });
  });

  describe('which rate applies', () => {
    const table = taxRateTableFrom([
      { country: 'US', rate: '5', shippingTaxed: false },
      { country: 'US', region: 'NY', rate: '8.875', shippingTaxed: true },
      { country: 'DE', rate: '19', shippingTaxed: true, reducedRates: { reduced: '7' } },
    ]);
    const rateFor = (destination: TaxInput['destination'], taxClass?: string) => {
      const result = computeTax(table, order({ destination, lines: [line('a', 1000, taxClass)] }));
      return [result.jurisdiction, result.lines[0]!.rate];
    };

    it('takes the region entry over the country entry, and the country entry for any other region', () => {
      expect(rateFor({ country: 'US', region: 'NY' })).to.deep.equal(['US-NY', '8.875']);
      expect(rateFor({ country: 'US', region: 'CA' })).to.deep.equal(['US', '5']);
      expect(rateFor({ country: 'US' })).to.deep.equal(['US', '5']);
      expect(rateFor({ country: 'DE', region: 'BY' })).to.deep.equal(['DE', '19']);
    });

    it('taxes a line of a tax class at the class rate, and at the standard rate where the entry has none for it', () => {
      expect(rateFor({ country: 'DE' }, 'reduced')).to.deep.equal(['DE', '7']);
      expect(rateFor({ country: 'DE' }, 'digital')).to.deep.equal(['DE', '19']);
      expect(rateFor({ country: 'US', region: 'NY' }, 'reduced')).to.deep.equal(['US-NY', '8.875']);
      const result = computeTax(table, order({ lines: [line('book', 1000, 'reduced')], shippingMinor: 500 }));
      expect(result.lines[0]).to.include({ taxClass: 'reduced', taxMinor: 70, ratePpm: 70_000 });
      expect(result.shipping, 'shipping pays the standard rate').to.include({ taxMinor: 95, rate: '19' });
    });

    it('answers zero tax and jurisdiction null for a destination the table has no entry for', () => {
      const result = computeTax(
        table,
        order({
          currencyCode: 'BRL',
          destination: { country: 'BR' },
          lines: [line('a', 1000)],
          shippingMinor: 500,
        }),
      );
      expect(result.jurisdiction).to.equal(null);
      expect(splits(result)).to.deep.equal([
        [1000, 0, 1000, '0'],
        [500, 0, 500, '0'],
      ]);
      expect(result.shipping.taxed).to.equal(false);
      expect(result.taxTotalMinor).to.equal(0);
      expect(result.grossTotalMinor).to.equal(1500);
    });

    it('answers an order with no lines and no shipping with zeros', () => {
      const result = computeTax(examples, order({}));
      expect(result).to.deep.include({
        lines: [],
        lineTaxMinor: 0,
        taxTotalMinor: 0,
        netTotalMinor: 0,
        grossTotalMinor: 0,
      });
    });
  });

  describe('refuses input only a bug could send', () => {
    const refusals: [string, Partial<TaxInput>][] = [
      ['an unknown currency', { currencyCode: 'EURO' }],
      ['a lower-case country', { destination: { country: 'de' } }],
      ['a malformed region', { destination: { country: 'US', region: 'new york' } }],
      ['a negative amount', { lines: [line('a', -1)] }],
      ['a fractional amount', { lines: [line('a', 10.5)] }],
      ['an amount above the platform maximum', { lines: [line('a', MAX_AMOUNT_MINOR + 1)] }],
      ['a negative shipping amount', { shippingMinor: -1 }],
      ['a repeated line id', { lines: [line('a', 1), line('a', 2)] }],
      ['an empty line id', { lines: [line('', 1)] }],
      ['a quantity of 0', { lines: [line('a', 1, undefined, 0)] }],
      ['a malformed tax class', { lines: [line('a', 1, 'Reduced')] }],
    ];
    for (const [what, overrides] of refusals) {
      it(`throws RangeError for ${what}`, () => {
        expect(() => computeTax(examples, order(overrides))).to.throw(RangeError);
      });
    }
  });

  describe('properties', () => {
    const entry = fc.record({
      rate: fc.integer({ min: 0, max: PPM }).map(formatPercentage),
      reduced: fc.integer({ min: 0, max: PPM }).map(formatPercentage),
      shippingTaxed: fc.boolean(),
    });
    const lines = fc.uniqueArray(
      fc.record({
        lineId: fc.string({ minLength: 1, maxLength: 8 }),
        amountMinor: fc.oneof(
          fc.integer({ min: 0, max: 100_000 }),
          fc.integer({ min: 0, max: MAX_AMOUNT_MINOR }),
        ),
        quantity: fc.integer({ min: 1, max: 100 }),
        taxClass: fc.constantFrom(undefined, 'reduced', 'unlisted'),
      }),
      { selector: (l) => l.lineId, maxLength: 30 },
    );
    const orders = fc.record({
      entry,
      lines,
      shippingMinor: fc.integer({ min: 0, max: 1_000_000 }),
      pricesIncludeTax: fc.boolean(),
      listed: fc.boolean(),
    });
    type Drawn = typeof orders extends fc.Arbitrary<infer T> ? T : never;

    function run(drawn: Drawn, lineOrder = drawn.lines) {
      const { rate, reduced, shippingTaxed } = drawn.entry;
      const json: TaxRateEntryJson[] = [{ country: 'DE', rate, shippingTaxed, reducedRates: { reduced } }];
      return computeTax(
        taxRateTableFrom(json),
        order({
          destination: { country: drawn.listed ? 'DE' : 'FR' },
          lines: lineOrder.map((l) => line(l.lineId, l.amountMinor, l.taxClass, l.quantity)),
          shippingMinor: drawn.shippingMinor,
          pricesIncludeTax: drawn.pricesIncludeTax,
        }),
      );
    }

    it('never answers a negative tax', () => {
      fc.assert(
        fc.property(orders, (drawn) => {
          const result = run(drawn);
          for (const part of [...result.lines, result.shipping]) expect(part.taxMinor).to.be.at.least(0);
          expect(result.taxTotalMinor).to.be.at.least(0);
        }),
      );
    });

    it('splits every amount exactly: exclusive gross = amount + tax, inclusive net + tax = amount', () => {
      fc.assert(
        fc.property(orders, (drawn) => {
          const result = run(drawn);
          const amounts = [...drawn.lines.map((l) => l.amountMinor), drawn.shippingMinor];
          [...result.lines, result.shipping].forEach((part, k) => {
            expect(part.netMinor + part.taxMinor).to.equal(part.grossMinor);
            expect(drawn.pricesIncludeTax ? part.grossMinor : part.netMinor).to.equal(amounts[k]);
          });
          expect(result.netTotalMinor + result.taxTotalMinor).to.equal(result.grossTotalMinor);
        }),
      );
    });

    it('rounds each tax to within half a minor unit of the exact value', () => {
      fc.assert(
        fc.property(orders, (drawn) => {
          const result = run(drawn);
          for (const part of [...result.lines, result.shipping]) {
            const net = BigInt(part.netMinor);
            const tax = BigInt(part.taxMinor);
            const gross = BigInt(part.grossMinor);
            const ppm = BigInt(part.ratePpm);
            const million = BigInt(PPM);
            // exclusive: |tax − net × rate| ≤ ½; inclusive: |net − gross / (1 + rate)| ≤ ½
            const twiceError = drawn.pricesIncludeTax
              ? 2n * (net * (million + ppm) - gross * million)
              : 2n * (tax * million - net * ppm);
            const bound = drawn.pricesIncludeTax ? million + ppm : million;
            expect(twiceError <= bound && -twiceError <= bound, `${part.rate} % of ${net}`).to.equal(true);
          }
        }),
      );
    });

    it('sums the per-line taxes to the line-tax total, and adds the shipping tax for the tax total', () => {
      fc.assert(
        fc.property(orders, (drawn) => {
          const result = run(drawn);
          expect(result.lines.reduce((sum, l) => sum + l.taxMinor, 0)).to.equal(result.lineTaxMinor);
          expect(result.lineTaxMinor + result.shipping.taxMinor).to.equal(result.taxTotalMinor);
        }),
      );
    });

    it('answers the same per line and in total whatever the order of the lines', () => {
      const shuffled = orders.chain((drawn) =>
        fc.tuple(
          fc.constant(drawn),
          fc.shuffledSubarray(drawn.lines, { minLength: drawn.lines.length, maxLength: drawn.lines.length }),
        ),
      );
      fc.assert(
        fc.property(shuffled, ([drawn, reordered]) => {
          const first = run(drawn);
          const second = run(drawn, reordered);
          const byId = (result: typeof first) => new Map(result.lines.map((l) => [l.lineId, l]));
          expect(byId(second)).to.deep.equal(byId(first));
          const { lines: _a, ...firstTotals } = first;
          const { lines: _b, ...secondTotals } = second;
          expect(secondTotals).to.deep.equal(firstTotals);
        }),
      );
    });
  });

  describe('rates as written', () => {
    it('holds a percentage as exact parts per million and writes it back the same', () => {
      const cases: [string, number][] = [
        ['19', 190_000],
        ['8.875', 88_750],
        ['5.5', 55_000],
        ['0', 0],
        ['0.0001', 1],
        ['100', 1_000_000],
      ];
      for (const [text, ppm] of cases) {
        expect(parsePercentage(text), text).to.equal(ppm);
        expect(formatPercentage(ppm), text).to.equal(text);
      }
      expect(parsePercentage('8.8750')).to.equal(88_750);
    });

    it('refuses what is not a plain percentage from 0 to 100 with at most 4 decimals', () => {
      for (const text of [
        '',
        '-1',
        '100.0001',
        '101',
        '8.87501',
        '8,875',
        '1e1',
        ' 19',
        '19 ',
        '.5',
        '5.',
        '0x10',
        '19%',
      ]) {
        expect(parsePercentage(text), JSON.stringify(text)).to.equal(undefined);
      }
    });
  });
});
