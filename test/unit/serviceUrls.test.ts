import assert from 'node:assert/strict';
import { serviceEnvironment } from '../../src/core/snippets/serviceUrls.ts';

describe('serviceEnvironment', () => {
  it('passes each configured URL in the variable the snippet reads', () => {
    assert.deepEqual(serviceEnvironment(['postgres', 'redis'], { postgres: 'postgres://me@127.0.0.1:5432/study', redis: 'redis://127.0.0.1:6379' }), {
      ok: true,
      env: { DATABASE_URL: 'postgres://me@127.0.0.1:5432/study', REDIS_URL: 'redis://127.0.0.1:6379' },
    });
    assert.deepEqual(serviceEnvironment([], {}), { ok: true, env: {} });
  });

  it('says which setting to fill, with an example and how to install the server, when a URL is missing', () => {
    const missing = serviceEnvironment(['postgres'], { postgres: '  ' });
    assert.equal(missing.ok, false);
    assert.ok(!missing.ok);
    assert.equal(missing.setting, 'backendStudy.databaseUrl');
    assert.match(missing.message, /needs a PostgreSQL server\. Set `backendStudy\.databaseUrl`.*postgres:\/\/.*apt-get install postgresql.*Nothing was run\./);
    const redis = serviceEnvironment(['postgres', 'redis'], { postgres: 'postgresql://127.0.0.1/x' });
    assert.ok(!redis.ok);
    assert.equal(redis.setting, 'backendStudy.redisUrl');
  });

  it('refuses a URL of another kind or one that does not parse, instead of letting the snippet fail later', () => {
    for (const url of ['mysql://127.0.0.1/x', 'not a url', 'http://127.0.0.1:6379']) {
      const result = serviceEnvironment(['redis'], { redis: url });
      assert.ok(!result.ok, url);
      assert.match(result.message, /must be a redis:\/\/ or rediss:\/\/ URL/);
    }
  });
});
