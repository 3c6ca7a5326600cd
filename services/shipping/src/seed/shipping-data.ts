/**
 * The demo store ships from Germany: carriers, zones, and per zone the methods with their price
 * tiers. Money in minor units of EUR; weights in kilograms.
 */

export interface DemoCarrier {
  code: string;
  name: string;
  apiEndpoint: string;
  trackingUrl: string;
}

export interface DemoRate {
  minWeight: string;
  maxWeight: string | null;
  minAmount: number;
  maxAmount: number | null;
  rate: number;
}

export interface DemoMethod {
  name: string;
  carrierCode: string;
  serviceType: 'standard' | 'express' | 'overnight';
  basePrice: number;
  pricePerKg: number;
  pricePerItem: number;
  estimatedDays: number;
  rates: DemoRate[];
}

export interface DemoZone {
  name: string;
  type: 'country' | 'state' | 'postal_code' | 'custom';
  countries: string[];
  priority: number;
  methods: DemoMethod[];
}

export const SHIPPING_CURRENCY = 'EUR';

export const DEMO_CARRIERS: DemoCarrier[] = [
  {
    code: 'dhl',
    name: 'DHL',
    apiEndpoint: 'https://api-sandbox.dhl.com',
    trackingUrl: 'https://www.dhl.com/track?id={tracking_number}',
  },
  {
    code: 'dpd',
    name: 'DPD',
    apiEndpoint: 'https://api-sandbox.dpd.com',
    trackingUrl: 'https://tracking.dpd.de/status/{tracking_number}',
  },
  {
    code: 'ups',
    name: 'UPS',
    apiEndpoint: 'https://wwwcie.ups.com/api',
    trackingUrl: 'https://www.ups.com/track?tracknum={tracking_number}',
  },
  {
    code: 'fedex',
    name: 'FedEx',
    apiEndpoint: 'https://apis-sandbox.fedex.com',
    trackingUrl: 'https://www.fedex.com/fedextrack/?trknbr={tracking_number}',
  },
];

/** Weight tiers: parcels up to 2 kg, 2–10 kg, over 10 kg; free standard shipping from a basket amount. */
function standardRates(light: number, medium: number, heavy: number, freeFrom: number): DemoRate[] {
  return [
    { minWeight: '0', maxWeight: '2', minAmount: 0, maxAmount: freeFrom, rate: light },
    { minWeight: '2', maxWeight: '10', minAmount: 0, maxAmount: freeFrom, rate: medium },
    { minWeight: '10', maxWeight: null, minAmount: 0, maxAmount: null, rate: heavy },
    { minWeight: '0', maxWeight: '10', minAmount: freeFrom, maxAmount: null, rate: 0 },
  ];
}

function weightRates(light: number, medium: number, heavy: number): DemoRate[] {
  return [
    { minWeight: '0', maxWeight: '2', minAmount: 0, maxAmount: null, rate: light },
    { minWeight: '2', maxWeight: '10', minAmount: 0, maxAmount: null, rate: medium },
    { minWeight: '10', maxWeight: null, minAmount: 0, maxAmount: null, rate: heavy },
  ];
}

export const DEMO_ZONES: DemoZone[] = [
  {
    name: 'Germany',
    type: 'country',
    countries: ['DE'],
    priority: 30,
    methods: [
      {
        name: 'Standard',
        carrierCode: 'dhl',
        serviceType: 'standard',
        basePrice: 0,
        pricePerKg: 0,
        pricePerItem: 0,
        estimatedDays: 2,
        rates: standardRates(490, 690, 1290, 5000),
      },
      {
        name: 'Express',
        carrierCode: 'dpd',
        serviceType: 'express',
        basePrice: 0,
        pricePerKg: 0,
        pricePerItem: 0,
        estimatedDays: 1,
        rates: weightRates(990, 1290, 1990),
      },
      {
        name: 'Next-day before noon',
        carrierCode: 'ups',
        serviceType: 'overnight',
        basePrice: 1490,
        pricePerKg: 100,
        pricePerItem: 0,
        estimatedDays: 1,
        rates: [],
      },
    ],
  },
  {
    name: 'European Union',
    type: 'country',
    countries: [
      'AT',
      'BE',
      'BG',
      'CY',
      'CZ',
      'DK',
      'EE',
      'ES',
      'FI',
      'FR',
      'GR',
      'HR',
      'HU',
      'IE',
      'IT',
      'LT',
      'LU',
      'LV',
      'MT',
      'NL',
      'PL',
      'PT',
      'RO',
      'SE',
      'SI',
      'SK',
    ],
    priority: 20,
    methods: [
      {
        name: 'Standard',
        carrierCode: 'dhl',
        serviceType: 'standard',
        basePrice: 0,
        pricePerKg: 0,
        pricePerItem: 0,
        estimatedDays: 5,
        rates: standardRates(990, 1490, 2490, 10000),
      },
      {
        name: 'Express',
        carrierCode: 'ups',
        serviceType: 'express',
        basePrice: 0,
        pricePerKg: 0,
        pricePerItem: 0,
        estimatedDays: 2,
        rates: weightRates(1990, 2490, 3990),
      },
    ],
  },
  {
    name: 'United Kingdom, Switzerland and Norway',
    type: 'country',
    countries: ['GB', 'CH', 'NO', 'LI', 'IS'],
    priority: 20,
    methods: [
      {
        name: 'Standard (duties paid)',
        carrierCode: 'dhl',
        serviceType: 'standard',
        basePrice: 500,
        pricePerKg: 0,
        pricePerItem: 0,
        estimatedDays: 6,
        rates: weightRates(1490, 1990, 3490),
      },
      {
        name: 'Express (duties paid)',
        carrierCode: 'fedex',
        serviceType: 'express',
        basePrice: 500,
        pricePerKg: 0,
        pricePerItem: 0,
        estimatedDays: 3,
        rates: weightRates(2990, 3990, 5990),
      },
    ],
  },
  {
    name: 'North America',
    type: 'country',
    countries: ['US', 'CA'],
    priority: 10,
    methods: [
      {
        name: 'International Standard',
        carrierCode: 'dhl',
        serviceType: 'standard',
        basePrice: 0,
        pricePerKg: 300,
        pricePerItem: 0,
        estimatedDays: 10,
        rates: weightRates(1990, 3490, 5990),
      },
      {
        name: 'International Express',
        carrierCode: 'fedex',
        serviceType: 'express',
        basePrice: 0,
        pricePerKg: 500,
        pricePerItem: 0,
        estimatedDays: 4,
        rates: weightRates(3990, 5990, 8990),
      },
    ],
  },
];
