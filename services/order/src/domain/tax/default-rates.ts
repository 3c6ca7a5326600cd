import { taxRateTableFrom, type TaxRateEntryJson, type TaxRateTable } from './rate-table.js';

/**
 * The example table used when TAX_RATES_FILE is not set (docs/tax.md): a few EU VAT countries at
 * their standard and reduced rates, three US states at one example combined (state + local) rate
 * each, Japan, and Kuwait (a 3-decimal currency, no VAT). A real shop supplies its own file: US
 * local rates differ by city and county, and rates change.
 */
export const EXAMPLE_TAX_RATES: readonly TaxRateEntryJson[] = [
  { country: 'DE', rate: '19', shippingTaxed: true, reducedRates: { reduced: '7' } },
  { country: 'FR', rate: '20', shippingTaxed: true, reducedRates: { reduced: '5.5' } },
  { country: 'NL', rate: '21', shippingTaxed: true, reducedRates: { reduced: '9' } },
  { country: 'AT', rate: '20', shippingTaxed: true, reducedRates: { reduced: '10' } },
  { country: 'IT', rate: '22', shippingTaxed: true, reducedRates: { reduced: '4' } },
  { country: 'US', region: 'NY', rate: '8.875', shippingTaxed: true },
  { country: 'US', region: 'CA', rate: '7.25', shippingTaxed: false },
  { country: 'US', region: 'TX', rate: '8.25', shippingTaxed: true },
  { country: 'JP', rate: '10', shippingTaxed: true, reducedRates: { reduced: '8' } },
  { country: 'KW', rate: '0', shippingTaxed: false },
];

export function exampleTaxRateTable(): TaxRateTable {
  return taxRateTableFrom(EXAMPLE_TAX_RATES);
}
