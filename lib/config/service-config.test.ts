import { expect } from 'chai';
import { ConfigError } from './env.js';
import { databaseUrlFor, grpcAddressOf, loadServiceConfig } from './service-config.js';

describe('lib/config: service configuration from the environment', () => {
  it('defaults to embedded databases, in-process events and the default port', () => {
    const config = loadServiceConfig('cart', {});
    expect(config).to.include({ service: 'cart', grpcPort: 50057, dataDir: './data', migrateOnStart: true });
    expect(config.databaseUrl).to.equal(undefined);
    expect(config.natsUrl).to.equal(undefined);
    expect(config.eventsNamespace).to.equal(undefined);
  });

  it('reads EVENTS_NAMESPACE as it is given', () => {
    expect(loadServiceConfig('cart', { EVENTS_NAMESPACE: 't1a2b3c' }).eventsNamespace).to.equal('t1a2b3c');
    expect(loadServiceConfig('cart', { EVENTS_NAMESPACE: ' Run_7-b ' }).eventsNamespace).to.equal('Run_7-b');
  });

  it('uses <service>_db on the DATABASE_URL server unless the service has its own URL', () => {
    const env = { DATABASE_URL: 'postgres://postgres@db:5432/ignored' };
    expect(databaseUrlFor('order', env)).to.equal('postgres://postgres@db:5432/order_db');
    expect(
      databaseUrlFor('order', { ...env, ORDER_DATABASE_URL: 'postgres://o@other:5433/orders' }),
    ).to.equal('postgres://o@other:5433/orders');
    expect(loadServiceConfig('order', env).migrateOnStart).to.equal(false);
  });

  it('finds other services at <SERVICE>_GRPC_ADDR or 127.0.0.1 and their default port', () => {
    expect(grpcAddressOf('product', {})).to.equal('127.0.0.1:50053');
    expect(grpcAddressOf('product', { PRODUCT_GRPC_ADDR: 'product:50051' })).to.equal('product:50051');
  });

  it('names the setting at fault when a value is malformed', () => {
    const failures: [Record<string, string>, string, RegExp][] = [
      [{ CART_GRPC_PORT: 'eighty' }, 'CART_GRPC_PORT', /whole number/],
      [{ CART_GRPC_PORT: '70000' }, 'CART_GRPC_PORT', /between 0 and 65535/],
      [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', /postgres/],
      [{ NATS_URL: 'not a url' }, 'NATS_URL', /must be a URL/],
      [{ EVENTS_NAMESPACE: 'run.1' }, 'EVENTS_NAMESPACE', /letters, digits, _ or -, got "run\.1"/],
      [{ EVENTS_NAMESPACE: 'a>' }, 'EVENTS_NAMESPACE', /letters, digits/],
      [{ EVENTS_NAMESPACE: 'x'.repeat(33) }, 'EVENTS_NAMESPACE', /1 to 32/],
      [{ EVENTS_NAMESPACE: 'order' }, 'EVENTS_NAMESPACE', /must not be a service's name/],
      [{ MIGRATE_ON_START: 'maybe', DATABASE_URL: 'postgres://h/x' }, 'MIGRATE_ON_START', /true or false/],
      [{ NODE_ENV: 'production' }, 'DATABASE_URL', /required in production/],
    ];
    for (const [env, setting, problem] of failures) {
      const error = (() => {
        try {
          loadServiceConfig('cart', env);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error, setting).to.be.instanceOf(ConfigError);
      expect((error as ConfigError).setting).to.equal(setting);
      expect((error as ConfigError).message).to.match(problem);
    }
  });

  it('never repeats the user or password of a URL it cannot parse', () => {
    const cases: [string, string][] = [
      ['postgres://shop:s3cr/et@db:5432/cart_db', 'got "postgres://…@db:5432/cart_db"'],
      ['postgres://shop:p@ss@db:54x2/cart_db', 'got "postgres://…@db:54x2/cart_db"'],
      ['shop:s3cret@db:5432', 'got "shop:"'],
    ];
    for (const [url, shown] of cases) {
      const error = (() => {
        try {
          loadServiceConfig('cart', { DATABASE_URL: url });
        } catch (caught) {
          return caught as ConfigError;
        }
        return undefined;
      })();
      expect(error?.message, url)
        .to.contain(shown)
        .and.not.match(/s3cr|p@ss/);
    }
  });
});
