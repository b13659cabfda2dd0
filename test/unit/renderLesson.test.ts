import assert from 'node:assert/strict';
import { loadCatalog } from '../../src/core/content/catalog.ts';
import type { Lesson } from '../../src/core/content/model.ts';
import { memorySource } from '../../src/core/content/source.ts';
import { highlightCode, renderLesson, type RenderContext } from '../../src/core/markdown/renderLesson.ts';
import { lessonText, validContent } from './helpers/contentFixture.ts';

const files = validContent();
const context: RenderContext = {
  snippetSource: (path) => files[path],
  lessonIdOfFile: (path) => (path === 'node-fundamentals/streams.md' ? 'streams' : undefined),
};

async function lessonWithIntro(intro: string): Promise<Lesson> {
  const text = lessonText().replace('An introduction.', intro);
  const { catalog } = await loadCatalog(memorySource({ ...files, 'node-fundamentals/event-loop.md': text }));
  return catalog.lessons.get('event-loop')!;
}

/** The page as the learner ends up seeing it: every numbered block filled with its colours, as media/lesson.js does. */
function coloured(lesson: Lesson): string {
  const { html, code } = renderLesson(lesson, context);
  const colours = highlightCode(code);
  return html.replace(/ data-code="(\d+)">[^<]*<\/code>/g, (_match, index: string) => `>${colours[Number(index)] ?? ''}</code>`);
}

describe('renderLesson', () => {
  it('expands a snippet include into highlighted code with its file name and actions', async () => {
    files['node-fundamentals/code-snippets/event-loop/one.ts'] = "const answer: number = 42;\nconsole.log('one', answer);\n";
    const html = coloured(await lessonWithIntro('Intro.'));
    assert.match(html, /<figure class="snippet" data-snippet="node-fundamentals\/code-snippets\/event-loop\/one.ts">/);
    assert.match(html, /<span class="snippet-file">one.ts<\/span>/);
    assert.match(html, /<span class="hljs-keyword">const<\/span> <span class="hljs-attr">answer<\/span>: <span class="hljs-built_in">number<\/span>/);
    assert.match(html, /data-action="open-snippet"/);
    assert.match(html, /data-action="run-snippet"/);
    assert.doesNotMatch(html, /@\[snippet\]/);
  });

  it('colours code only through classes: no inline styles anywhere', async () => {
    const html = coloured(await lessonWithIntro('```ts\nconst x = 1;\n```'));
    assert.match(html, /hljs-/);
    assert.doesNotMatch(html, /style=/);
  });

  it('gives headings GitHub-style anchors', async () => {
    const { html } = renderLesson(await lessonWithIntro('Intro.'), context);
    assert.match(html, /<h2 id="theoretical-foundations">Theoretical foundations<\/h2>/);
    assert.match(html, /<h3 id="pitfall-1">Pitfall 1<\/h3>/);
  });

  it('renders quiz cards with the answer hidden until revealed', async () => {
    const { html } = renderLesson(await lessonWithIntro('Intro.'), context);
    assert.match(html, /<div class="quiz-card" id="event-loop-quiz-1" data-quiz-id="event-loop-quiz-1"><div class="quiz-question"><p>Q1\?<\/p>/);
    assert.match(html, /<div class="quiz-answer" hidden><p><strong>Answer.<\/strong> A.<\/p>\n<p><strong>Why.<\/strong> Because.<\/p>/);
  });

  it('renders interview questions with their level and model answer', async () => {
    const { html } = renderLesson(await lessonWithIntro('Intro.'), context);
    assert.match(html, /<details class="interview-question" id="event-loop-iq-1" data-question-id="event-loop-iq-1"><summary><span class="question">Question 1\?<\/span> <span class="level level-staff">staff<\/span><\/summary>/);
    assert.match(html, /<div class="model-answer"><p>A model answer.<\/p>/);
  });

  it('turns links to other lessons into lesson links and marks external links', async () => {
    const { html } = renderLesson(await lessonWithIntro('See [streams](streams.md#backpressure), [the docs](https://nodejs.org/api/) and [nothing](nowhere.md).'), context);
    assert.match(html, /<a href="#backpressure" data-lesson="streams" data-anchor="backpressure">streams<\/a>/);
    assert.match(html, /<a href="https:\/\/nodejs.org\/api\/" data-external="" title="https:\/\/nodejs.org\/api\/">the docs<\/a>/);
    assert.match(html, /<a href="#" data-broken-link="nowhere.md">nothing<\/a>/);
  });

  it('escapes raw HTML in lesson text instead of passing it to the webview', async () => {
    const { html } = renderLesson(await lessonWithIntro('<script>alert(1)</script> <img src=x onerror=alert(1)>'), context);
    assert.doesNotMatch(html, /<script>/);
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });

  it('shows an image as its description, since the webview loads no remote resources', async () => {
    const { html } = renderLesson(await lessonWithIntro('![a diagram](https://example.com/x.png)'), context);
    assert.match(html, /<span class="image-alt">\[a diagram\]<\/span>/);
    assert.doesNotMatch(html, /example\.com/);
  });

  it('renders text blocks as diagrams without highlighting', async () => {
    const { html } = renderLesson(await lessonWithIntro('```text\n┌──┐ <timers>\n```'), context);
    assert.match(html, /<pre class="code-block diagram"><code class="hljs language-text">┌──┐ &lt;timers&gt;\n<\/code><\/pre>/);
  });

  it('says so when a snippet cannot be read, instead of failing the whole lesson', async () => {
    const { html } = renderLesson(await lessonWithIntro('Intro.'), { ...context, snippetSource: () => undefined });
    assert.match(html, /Snippet <code>code-snippets\/event-loop\/one.ts<\/code> could not be read./);
    assert.match(html, /Theoretical foundations/);
  });

  describe('the code, coloured later', () => {
    const intro = 'Intro.\n\n```ts\nconst x: number = 1;\n```\n\n```text\n┌──┐ <timers>\n```';

    it('leaves the code as plain escaped text, numbered, with nothing highlighted yet', async () => {
      files['node-fundamentals/code-snippets/event-loop/one.ts'] = "const answer: number = 42;\nconsole.log('<one>', answer);\n";
      const { html, code } = renderLesson(await lessonWithIntro(intro), context);
      assert.doesNotMatch(html, /hljs-/);
      assert.match(html, /<code class="hljs language-ts" data-code="1">const answer: number = 42;\nconsole.log\(&#39;&lt;one&gt;&#39;, answer\);\n<\/code>/);
      assert.match(html, /<code class="hljs language-ts" data-code="0">const x: number = 1;\n<\/code>/);
      assert.equal(code.length, (html.match(/ data-code="/g) ?? []).length);
      assert.deepEqual(code.slice(0, 2).map((block) => block.language), ['ts', 'ts']);
    });

    it('does not defer blocks that are never highlighted (diagrams)', async () => {
      const { html, code } = renderLesson(await lessonWithIntro(intro), context);
      assert.match(html, /<code class="hljs language-text">┌──┐ &lt;timers&gt;\n<\/code>/);
      assert.equal(code.filter((block) => block.code.includes('timers')).length, 0);
    });

    it('gives every numbered block its colours, and nothing else changes', async () => {
      const lesson = await lessonWithIntro(intro);
      const { html } = renderLesson(lesson, context);
      const filled = coloured(lesson);
      assert.doesNotMatch(filled, / data-code=/);
      assert.match(filled, /<span class="hljs-keyword">const<\/span> <span class="hljs-attr">x<\/span>: <span class="hljs-built_in">number<\/span>/);
      // Outside the code elements the page is the same text.
      const outside = (page: string): string => page.replace(/<code[^>]*>[\s\S]*?<\/code>/g, '<code/>');
      assert.equal(outside(filled), outside(html));
    });
  });
});
