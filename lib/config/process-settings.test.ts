import { expect } from 'chai';
import { ConfigError } from './env.js';
import { loadProcessSettings } from './process-settings.js';

describe('lib/config: settings of the process as a whole', () => {
  it('defaults to info logs, metrics on loopback port 9464 and ten connections per database', () => {
    expect(loadProcessSettings({})).to.deep.equal({
      logLevel: 'info',
      metricsPort: 9464,
      metricsHost: '127.0.0.1',
      database: { poolMax: 10, debug: false },
      pgliteTemplateDir: undefined,
      grpcDescriptorSet: undefined,
    });
  });

  it('names the setting at fault when a value is malformed', () => {
    const failures: [Record<string, string>, string, RegExp][] = [
      [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /must be one of fatal, error, warn, info, debug, trace, silent/],
      [{ DB_POOL_MAX: 'lots' }, 'DB_POOL_MAX', /whole number, got "lots"/],
      [{ DB_POOL_MAX: '0' }, 'DB_POOL_MAX', /between 1 and 1000/],
      [{ DB_DEBUG: 'verbose' }, 'DB_DEBUG', /true or false/],
      [{ METRICS_PORT: '99999' }, 'METRICS_PORT', /between 0 and 65535/],
    ];
    for (const [env, setting, problem] of failures) {
      const error = (() => {
        try {
          loadProcessSettings(env);
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
});
