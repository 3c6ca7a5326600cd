import { Counter } from 'prom-client';
import { metricsRegistry } from '../../../../../lib/metrics.js';

export const deliveryAttempts = new Counter({
  name: 'notification_delivery_attempts_total',
  help: 'Attempts to deliver a notification, by channel, provider (smtp, mailbox) and outcome (sent, failed, bounced)',
  labelNames: ['channel', 'provider', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const deliveriesGivenUp = new Counter({
  name: 'notification_deliveries_failed_total',
  help: 'Notifications that ended failed or bounced, by cause (attempts_exhausted, refused, no_account)',
  labelNames: ['cause'] as const,
  registers: [metricsRegistry],
});
