import { expect } from 'chai';
import { ConfigError } from '../config/index.js';
import { startMesh } from './mesh.js';

describe('lib/runtime/mesh: settings read after the start are checked at the start', () => {
  for (const [setting, value] of [
    ['BREAKER_VOLUME_THRESHOLD', 'lots'],
    ['DB_POOL_MAX', 'lots'],
    ['LOG_LEVEL', 'loud'],
  ] as const) {
    it(`refuses ${setting}=${value} before starting anything, naming it`, async () => {
      const error = await startMesh([], { [setting]: value }).then(
        async (mesh) => void (await mesh.stop()),
        (caught: unknown) => caught,
      );
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as ConfigError).setting).to.equal(setting);
    });
  }
});
