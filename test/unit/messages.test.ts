import assert from 'node:assert/strict';
import { parseChallengeMessage, parseLessonMessage, parseReviewOptions } from '../../src/core/webview/messages.ts';

describe('parseLessonMessage', () => {
  it('accepts each known message', () => {
    assert.deepEqual(parseLessonMessage({ type: 'openLesson', lessonId: 'streams', anchor: 'backpressure' }), { type: 'openLesson', lessonId: 'streams', anchor: 'backpressure' });
    assert.deepEqual(parseLessonMessage({ type: 'runSnippet', path: 'node-fundamentals/code-snippets/event-loop/phase-order.ts' }), { type: 'runSnippet', path: 'node-fundamentals/code-snippets/event-loop/phase-order.ts' });
    assert.deepEqual(parseLessonMessage({ type: 'setComplete', complete: true }), { type: 'setComplete', complete: true });
    assert.deepEqual(parseLessonMessage({ type: 'openExternal', url: 'https://nodejs.org/api/' }), { type: 'openExternal', url: 'https://nodejs.org/api/' });
    assert.deepEqual(parseLessonMessage({ type: 'startChallenge', challengeId: 'rate-limiter' }), { type: 'startChallenge', challengeId: 'rate-limiter' });
  });

  it('ignores unknown types and malformed fields', () => {
    for (const raw of [null, 'openLesson', { type: 'eval', code: '1' }, { type: 'openLesson', lessonId: '../../etc' }, { type: 'setComplete', complete: 'yes' }, { type: 'startChallenge' }]) {
      assert.equal(parseLessonMessage(raw), undefined, JSON.stringify(raw));
    }
  });

  it('refuses snippet paths that could leave the content folder', () => {
    for (const path of ['../secrets.ts', '/etc/passwd.ts', 'a/../../b.ts', 'node-fundamentals\\x.ts', 'a/b.js']) {
      assert.equal(parseLessonMessage({ type: 'openSnippet', path }), undefined, path);
    }
  });

  it('opens only http and https links externally', () => {
    for (const url of ['command:workbench.action.terminal.new', 'file:///etc/passwd', 'javascript:alert(1)', 'vscode://x', 'not a url']) {
      assert.equal(parseLessonMessage({ type: 'openExternal', url }), undefined, url);
    }
  });
});

describe('parseChallengeMessage', () => {
  it('accepts the statement page\'s three messages and nothing else', () => {
    assert.deepEqual(parseChallengeMessage({ type: 'startChallenge' }), { type: 'startChallenge' });
    assert.deepEqual(parseChallengeMessage({ type: 'showNextHint', extra: 1 }), { type: 'showNextHint' });
    assert.deepEqual(parseChallengeMessage({ type: 'openLesson', lessonId: 'event-loop' }), { type: 'openLesson', lessonId: 'event-loop' });
    for (const raw of [undefined, [], { type: 'openLesson', lessonId: '-x-' }, { type: 'openLesson', lessonId: 'a/b' }, { type: 'runSnippet', path: 'x.ts' }]) {
      assert.equal(parseChallengeMessage(raw), undefined, JSON.stringify(raw));
    }
  });

  it('keeps an openLesson message whose anchor is bad, without the anchor', () => {
    assert.deepEqual(parseLessonMessage({ type: 'openLesson', lessonId: 'streams', anchor: '"><script>' }), { type: 'openLesson', lessonId: 'streams' });
  });
});

describe('parseReviewOptions', () => {
  it('keeps a known area or focus area, a level and cram, and drops anything else', () => {
    assert.deepEqual(parseReviewOptions({ filter: { area: 'databases', level: 'staff' }, cram: true }), { filter: { area: 'databases', level: 'staff' }, cram: true });
    assert.deepEqual(parseReviewOptions({ filter: { area: 'data-architecture' } }), { filter: { area: 'data-architecture' }, cram: false });
    assert.deepEqual(parseReviewOptions({ filter: { area: '../etc', level: 'god' }, cram: 'yes', extra: 1 }), { filter: {}, cram: false });
    for (const raw of [undefined, null, 'x', [], { filter: 'x' }]) assert.deepEqual(parseReviewOptions(raw), { filter: {}, cram: false }, JSON.stringify(raw));
  });
});
