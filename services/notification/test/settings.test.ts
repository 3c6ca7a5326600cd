import { expect } from 'chai';
import { ConfigError } from '../../../lib/config/index.js';
import { notificationSettingsFrom } from '../src/settings.js';

describe('notification service: settings', () => {
  it('defaults to the mailbox folder under the data directory, and reads every setting', () => {
    const defaults = notificationSettingsFrom({}, '/var/lib/shop', false);
    expect(defaults).to.include({
      smtpUrl: undefined,
      mailboxDir: '/var/lib/shop/mailbox',
      storeUrl: 'http://localhost:3000',
      maxAttempts: 8,
      retryBaseMs: 30_000,
    });
    expect(defaults.adminEmails).to.deep.equal([]);

    const set = notificationSettingsFrom(
      {
        NOTIFICATION_SMTP_URL: 'smtps://user:pw@mail.example:465',
        NOTIFICATION_ADMIN_EMAILS: ' Ops@Shop.example, stock@shop.example,ops@shop.example ',
        NOTIFICATION_STORE_URL: 'https://shop.example/',
        NOTIFICATION_MAX_ATTEMPTS: '3',
      },
      './data',
      false,
    );
    expect(set.smtpUrl).to.equal('smtps://user:pw@mail.example:465');
    expect(set.adminEmails).to.deep.equal(['ops@shop.example', 'stock@shop.example']);
    expect(set.storeUrl).to.equal('https://shop.example');
    expect(set.maxAttempts).to.equal(3);
  });

  it('requires an SMTP server in production, unless the mailbox folder is allowed there', () => {
    let failure: unknown;
    try {
      notificationSettingsFrom({}, './data', true);
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(ConfigError);
    expect((failure as ConfigError).setting).to.equal('NOTIFICATION_SMTP_URL');
    expect((failure as Error).message).to.include('NOTIFICATION_MAILBOX_IN_PRODUCTION=true');
    const smtp = notificationSettingsFrom(
      { NOTIFICATION_SMTP_URL: 'smtp://mail.example:587' },
      './data',
      true,
    );
    expect(smtp.smtpUrl).to.equal('smtp://mail.example:587');
    const demo = notificationSettingsFrom({ NOTIFICATION_MAILBOX_IN_PRODUCTION: 'true' }, '/data', true);
    expect([demo.smtpUrl, demo.mailboxDir]).to.deep.equal([undefined, '/data/mailbox']);
  });

  for (const [name, value, words] of [
    ['NOTIFICATION_SMTP_URL', 'http://mail.example', 'smtp: or smtps:'],
    ['NOTIFICATION_ADMIN_EMAILS', 'ops@shop.example, not-an-address', 'not-an-address'],
    ['NOTIFICATION_MAX_ATTEMPTS', '0', 'between 1 and 100'],
    ['NOTIFICATION_RETRY_MAX_MS', '20', 'at least NOTIFICATION_RETRY_BASE_MS'],
    ['NOTIFICATION_SEND_LEASE_MS', '1000', 'between 60000'],
  ] as const) {
    it(`refuses ${name}=${value}, naming the setting`, () => {
      let failure: unknown;
      try {
        notificationSettingsFrom({ [name]: value }, './data', false);
      } catch (error) {
        failure = error;
      }
      expect(failure).to.be.instanceOf(ConfigError);
      expect((failure as Error).message)
        .to.include(name)
        .and.include(words);
    });
  }
});
