import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError } from '../config/index.js';
import { quietLogger } from '../testing/quiet-logger.js';
import { loadEncryptionKeys, parseEncryptionKeys } from './encryption-keys.js';
import { SecretCipher } from './secret-cipher.js';

const WHICH = { setting: 'TEST_SECRET_KEYS', devKeyFile: 'test-dev-secret-key', purpose: 'test' };
const keyEntry = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a refusal'),
    (error: unknown) => error,
  );
}

describe('lib/crypto: encryption keys from a setting', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'keys-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('reads kid:key pairs, the first one active, and names the setting when one is malformed', () => {
    const keys = parseEncryptionKeys(`${keyEntry('a')}, ${keyEntry('b')}`, 'TEST_SECRET_KEYS');
    expect(keys.active.id).to.equal('a');
    expect([...keys.byId.keys()]).to.deep.equal(['a', 'b']);
    expect(keys.active.key).to.have.length(32);
    expect(() => parseEncryptionKeys('k1:short', 'TEST_SECRET_KEYS')).to.throw(
      ConfigError,
      /TEST_SECRET_KEYS entry 0 must be <key id>:<32 bytes in base64>/,
    );
    const entry = keyEntry('dup');
    expect(() => parseEncryptionKeys(`${entry},${entry}`, 'TEST_SECRET_KEYS')).to.throw(
      /two keys with the id dup/,
    );
  });

  it('uses the setting when it is set, in production too', async () => {
    const entry = keyEntry('prod-1');
    const keys = await loadEncryptionKeys(
      WHICH,
      { production: true, dataDir },
      { TEST_SECRET_KEYS: entry },
      quietLogger(),
    );
    expect(keys.active.id).to.equal('prod-1');
  });

  it('refuses to start in production without the setting, naming it', async () => {
    const error = await refusal(loadEncryptionKeys(WHICH, { production: true, dataDir }, {}, quietLogger()));
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).setting).to.equal('TEST_SECRET_KEYS');
  });

  it('outside production generates one development key (mode 0600) and keeps it across starts and concurrent loads', async () => {
    const loads = await Promise.all(
      Array.from({ length: 5 }, () =>
        loadEncryptionKeys(WHICH, { production: false, dataDir }, {}, quietLogger()),
      ),
    );
    const ids = new Set(loads.map((keys) => keys.active.id));
    expect(ids.size).to.equal(1);
    const path = join(dataDir, WHICH.devKeyFile);
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    expect(readFileSync(path, 'utf8')).to.match(/^dev-[0-9a-f]{8}:/);
    const sealed = new SecretCipher(loads[0]!).encrypt('secret', 'row');
    const again = await loadEncryptionKeys(WHICH, { production: false, dataDir }, {}, quietLogger());
    expect(new SecretCipher(again).decrypt(sealed, 'row')).to.equal('secret');
  });
});
