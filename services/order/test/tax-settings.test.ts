import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError } from '../../../lib/config/index.js';
import type { ServiceRuntime } from '../../../lib/runtime/service-module.js';
import { EXAMPLE_TAX_RATES } from '../src/domain/tax/default-rates.js';
import { taxRateTableFrom } from '../src/domain/tax/rate-table.js';
import { orderModule } from '../src/module.js';
import { orderSettingsFrom } from '../src/settings.js';

describe('order service: tax settings', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tax-rates-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function fileWith(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  /** The ConfigError a table refuses with, or undefined if it is accepted. */
  function refusalOf(table: unknown): ConfigError | undefined {
    const path = fileWith('table.json', JSON.stringify(table));
    try {
      orderSettingsFrom({ TAX_RATES_FILE: path });
      return undefined;
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError).with.property('setting', 'TAX_RATES_FILE');
      return error as ConfigError;
    }
  }

  it('uses the example table and exclusive prices when nothing is set', () => {
    const settings = orderSettingsFrom({});
    expect(settings.pricesIncludeTax).to.equal(false);
    expect([...settings.taxRates.keys()]).to.deep.equal([
      'DE',
      'FR',
      'NL',
      'AT',
      'IT',
      'US-NY',
      'US-CA',
      'US-TX',
      'JP',
      'KW',
    ]);
    expect(settings.taxRates.get('US-NY')).to.include({ ratePpm: 88_750, shippingTaxed: true });
  });

  it('reads TAX_PRICES_INCLUDE_TAX as a boolean, naming it when malformed', () => {
    expect(orderSettingsFrom({ TAX_PRICES_INCLUDE_TAX: 'true' }).pricesIncludeTax).to.equal(true);
    expect(() => orderSettingsFrom({ TAX_PRICES_INCLUDE_TAX: 'sometimes' }))
      .to.throw(ConfigError)
      .with.property('setting', 'TAX_PRICES_INCLUDE_TAX');
  });

  it('reads the table from TAX_RATES_FILE instead of the example table', () => {
    const path = fileWith(
      'rates.json',
      JSON.stringify([
        { country: 'GB', rate: '20', shippingTaxed: true, reducedRates: { zero: '0' } },
        { country: 'CA', region: 'ON', rate: '13', shippingTaxed: true },
      ]),
    );
    const { taxRates } = orderSettingsFrom({ TAX_RATES_FILE: path });
    expect([...taxRates.keys()]).to.deep.equal(['GB', 'CA-ON']);
    expect(taxRates.get('GB')!.reducedRatesPpm.get('zero')).to.equal(0);
    expect(taxRates.get('CA-ON')).to.include({ country: 'CA', region: 'ON', ratePpm: 130_000 });
  });

  it('refuses a file it cannot read or parse, naming the setting and the path', () => {
    const missing = join(dir, 'missing.json');
    expect(() => orderSettingsFrom({ TAX_RATES_FILE: missing }))
      .to.throw(ConfigError, missing)
      .with.property('setting', 'TAX_RATES_FILE');
    const broken = fileWith('broken.json', '[{"country": "DE",');
    expect(() => orderSettingsFrom({ TAX_RATES_FILE: broken }))
      .to.throw(ConfigError, 'is not JSON')
      .with.property('setting', 'TAX_RATES_FILE');
  });

  it('refuses a table with a bad entry, naming the entry and what is wrong with it', () => {
    const de = { country: 'DE', rate: '19', shippingTaxed: true };
    const cases: [unknown, string][] = [
      [{ DE: '19' }, 'must be a JSON array of entries'],
      [[de, 'FR'], 'entry 1: must be an object'],
      [[de, { ...de, country: 'de' }], 'entry 1: country must be an ISO 3166-1 alpha-2 code'],
      [[{ ...de, region: 'new york' }], 'entry 0 (DE): region must be a subdivision code'],
      [[de, { ...de, rate: 19 }], 'entry 1 (DE): rate must be a string percentage'],
      [[{ ...de, region: 'BY', rate: '19.00001' }], 'entry 0 (DE-BY): rate must be a string percentage'],
      [[{ ...de, rate: '101' }], 'entry 0 (DE): rate must be'],
      [[{ country: 'DE', rate: '19' }], 'entry 0 (DE): shippingTaxed must be true or false'],
      [[{ ...de, shipingTaxed: false }], 'entry 0 (DE): unknown field "shipingTaxed"'],
      [[de, { ...de, rate: '7' }], 'entry 1 (DE): appears twice'],
      [[{ ...de, reducedRates: ['7'] }], 'entry 0 (DE): reducedRates must be an object'],
      [[{ ...de, reducedRates: { Reduced: '7' } }], 'entry 0 (DE): tax class "Reduced" must be lower-case'],
      [
        [{ ...de, reducedRates: { reduced: '7%' } }],
        'entry 0 (DE): reducedRates.reduced must be a string percentage',
      ],
    ];
    for (const [table, message] of cases) {
      expect(refusalOf(table)?.message, message).to.include(message);
    }
    expect(refusalOf([de, { ...de, region: 'BY' }]), 'a region beside its country').to.equal(undefined);
  });

  it('refuses to start the order service with a bad table', async () => {
    const path = fileWith('bad.json', JSON.stringify([{ country: 'DE', rate: '19%', shippingTaxed: true }]));
    const runtime = { env: { TAX_RATES_FILE: path } } as unknown as ServiceRuntime;
    let refused: unknown;
    try {
      await orderModule.create(runtime);
    } catch (error) {
      refused = error;
    }
    expect(refused).to.be.instanceOf(ConfigError).with.property('setting', 'TAX_RATES_FILE');
  });

  it('documents in docs/tax.md exactly the example table the code uses, and an example file that loads', () => {
    const doc = readFileSync('docs/tax.md', 'utf8');
    const jsonBlocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map(
      (match) => JSON.parse(match[1]!) as unknown,
    );
    expect(jsonBlocks.length, 'json blocks in docs/tax.md').to.equal(2);
    expect(jsonBlocks[0], 'the example file').to.satisfy((json: unknown) => taxRateTableFrom(json).size > 0);
    expect(jsonBlocks[1], 'the built-in example table').to.deep.equal(EXAMPLE_TAX_RATES);
  });
});
