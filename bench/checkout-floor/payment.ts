/**
 * The checkout floor's payment role (base port + 5, database `<prefix>_payment`): AuthorizePayment
 * and CapturePayment exactly as bench/payment-floor-server.ts does them (authorize-capture.ts: two
 * statements each, the event published to the floor's stream and its ack awaited). Everything else
 * is UNIMPLEMENTED.
 */
import { PaymentServiceService } from '../../gen/ecommerce/payment/v1/payment.js';
import { authorizeCaptureHandlers, PAYMENT_SCHEMA } from './authorize-capture.js';
import { floorOptions, openDatabase, openEvents, ready, serve, stopServer } from './shared.js';

const options = floorOptions();
const pool = await openDatabase(options, 'payment', PAYMENT_SCHEMA);
const events = await openEvents(options, 'payment');
const handlers = authorizeCaptureHandlers(pool, (name, body, eventId) =>
  events.js.publish(events.subject(name), body, { msgID: eventId }),
);
const server = await serve(options, 'payment', PaymentServiceService, handlers);
ready('payment', async () => {
  await stopServer(server);
  await events.nc.drain();
  await pool.end();
});
