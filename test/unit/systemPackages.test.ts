import * as assert from 'node:assert/strict';
import { planSystemPackages } from '../../scripts/lib/system-packages.mjs';

describe('npm run setup: the Debian packages', () => {
  const missing = ['chromium', 'libkrb5-dev'];

  it('does nothing when every package is there', () => {
    assert.deepEqual(planSystemPackages({ missing: [], hasApt: true, isRoot: false, hasSudo: false }), { action: 'none' });
  });

  it('as root (a fresh Debian has no sudo) updates the package lists, then installs', () => {
    assert.deepEqual(planSystemPackages({ missing, hasApt: true, isRoot: true, hasSudo: false }), {
      action: 'install',
      commands: [
        ['apt-get', 'update'],
        ['apt-get', 'install', '-y', '--no-install-recommends', 'chromium', 'libkrb5-dev'],
      ],
    });
  });

  it('as a user with sudo runs both through sudo', () => {
    const plan = planSystemPackages({ missing, hasApt: true, isRoot: false, hasSudo: true });
    assert.deepEqual(plan.action === 'install' ? plan.commands.map((command) => command.slice(0, 3)) : plan, [
      ['sudo', 'apt-get', 'update'],
      ['sudo', 'apt-get', 'install'],
    ]);
  });

  it('without root or sudo prints one command to run, naming only what is missing', () => {
    assert.deepEqual(planSystemPackages({ missing: ['libkrb5-dev'], hasApt: true, isRoot: false, hasSudo: false }), {
      action: 'print',
      command: "su -c 'apt-get update && apt-get install -y --no-install-recommends libkrb5-dev'",
    });
  });

  it('off Debian names the packages instead of an apt-get command', () => {
    const plan = planSystemPackages({ missing, hasApt: false, isRoot: true, hasSudo: true });
    assert.match(plan.action === 'print' ? plan.command : JSON.stringify(plan), /^install these packages .*: chromium libkrb5-dev$/);
  });
});
