import * as assert from 'node:assert/strict';
import { isBackupFolder, preferredCopy } from '../../src/core/challenges/copies.ts';

describe('the copy of a challenge the learner works in', () => {
  const started = { folder: '/ws/challenges/pool', entryModifiedMs: 1 };
  const other = { folder: '/ws/old/pool', entryModifiedMs: 5 };
  const third = { folder: '/ws2/pool', entryModifiedMs: 9 };

  it('is the one holding the file in the active editor', () => {
    assert.equal(preferredCopy([started, other], { activeFile: '/ws/old/pool/src/pool.ts', startFolders: ['/ws/challenges/pool'] }), other);
  });

  it('is the one where Start Challenge writes when the active editor is elsewhere', () => {
    assert.equal(preferredCopy([other, started], { activeFile: '/ws/README.md', startFolders: ['/ws/challenges/pool'] }), started);
    assert.equal(preferredCopy([other, started], { activeFile: undefined, startFolders: ['/ws/challenges/pool'] }), started);
  });

  it('is the one written last when neither tells', () => {
    assert.equal(preferredCopy([started, third, other], { startFolders: [] }), third);
  });

  it('does not take a folder whose name only begins like the copy\'s for the copy', () => {
    assert.equal(preferredCopy([other, started], { activeFile: '/ws/challenges/pool-2/src/pool.ts', startFolders: ['/ws/challenges/pool'] }), started);
  });

  it('never is a backup folder of an earlier Reset', () => {
    assert.equal(isBackupFolder('pool.backup-2026-01-01T00-00-00-000Z', 'pool'), true);
    assert.equal(isBackupFolder('pool', 'pool'), false);
    assert.equal(isBackupFolder('pool-backup', 'pool'), false);
  });
});
