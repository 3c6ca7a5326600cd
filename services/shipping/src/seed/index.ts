export { seedShippingDemo } from './seed-shipping.js';
export { DEMO_CARRIERS, DEMO_ZONES } from './shipping-data.js';
