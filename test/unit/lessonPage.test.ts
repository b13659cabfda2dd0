import assert from 'node:assert/strict';
import { loadCatalog } from '../../src/core/content/catalog.ts';
import { memorySource } from '../../src/core/content/source.ts';
import { challengePage } from '../../src/core/webview/challengePage.ts';
import { contentSecurityPolicy, lessonPage, type LessonPageInput } from '../../src/core/webview/lessonPage.ts';
import { lessonText, validContent } from './helpers/contentFixture.ts';

async function input(overrides: Partial<LessonPageInput> = {}): Promise<LessonPageInput> {
  const text = lessonText({ frontMatter: { title: 'Loops & <locks>' } });
  const { catalog } = await loadCatalog(memorySource({ ...validContent(), 'node-fundamentals/event-loop.md': text }));
  return {
    lesson: catalog.lessons.get('event-loop')!,
    areaTitle: 'Node.js fundamentals',
    bodyHtml: '<p>Body</p>',
    complete: false,
    previous: undefined,
    next: { id: 'streams', title: 'Streams' },
    challenges: [{ id: 'rate-limiter', title: 'Rate limiter', difficulty: 'medium', minutes: 60 }],
    anchor: undefined,
    cspSource: 'https://webview.example',
    styleUri: 'https://webview.example/media/lesson.css',
    scriptUri: 'https://webview.example/media/lesson.js',
    nonce: 'abc123',
    ...overrides,
  };
}

describe('lessonPage', () => {
  it('allows nothing by default: styles and fonts from the extension, the script by nonce', () => {
    assert.equal(
      contentSecurityPolicy('vscode-resource:', 'n0nce'),
      "default-src 'none'; style-src vscode-resource:; font-src vscode-resource:; img-src vscode-resource:; script-src 'nonce-n0nce'; base-uri 'none'; form-action 'none'",
    );
  });

  it('puts the policy in the page and the nonce on its only script', async () => {
    const html = lessonPage(await input());
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; [^"]*script-src &#39;nonce-abc123&#39;/);
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.deepEqual(scripts, ['<script nonce="abc123" src="https://webview.example/media/lesson.js">']);
    assert.doesNotMatch(html, /style=/);
  });

  it('escapes the lesson title and shows the completion state', async () => {
    const html = lessonPage(await input({ complete: true }));
    assert.match(html, /<h1>Loops &amp; &lt;locks&gt;<\/h1>/);
    assert.match(html, /aria-pressed="true">✓ Completed<\/button>/);
    assert.match(html, /data-complete="true"/);
  });

  it('links the next lesson and offers to start related challenges', async () => {
    const html = lessonPage(await input());
    assert.match(html, /<a href="#" class="nav-next" data-lesson="streams">Streams →<\/a>/);
    assert.match(html, /data-action="start-challenge" data-challenge="rate-limiter">Start challenge<\/button>/);
  });
});

describe('challengePage', () => {
  it('links only the related lessons that exist, in the order the challenge names them', async () => {
    const files = validContent();
    const md = files['challenges/rate-limiter/challenge.md']!.replace('lessons: [rest-best-practices]', 'lessons: [rest-best-practices, event-loop]');
    const { catalog } = await loadCatalog(memorySource({ ...files, 'challenges/rate-limiter/challenge.md': md }));
    const challenge = catalog.challenges.get('rate-limiter')!;
    assert.deepEqual(challenge.lessons, ['rest-best-practices', 'event-loop']);
    const html = challengePage({ challenge, catalog, hintsShown: 0, started: false, cspSource: 'https://webview.example', styleUri: 'https://webview.example/a.css', scriptUri: 'https://webview.example/a.js', nonce: 'n' });
    assert.deepEqual([...html.matchAll(/data-lesson="([^"]+)"/g)].map((match) => match[1]), ['event-loop']);
  });
});
