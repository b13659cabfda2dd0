// The lesson webview's only script (loaded by nonce). It turns clicks on the rendered
// lesson's data-* elements into messages; the extension validates every message.
// @ts-check
(function () {
  const vscode = acquireVsCodeApi();
  const body = document.body;
  const lessonId = body.dataset.lessonId;
  // The reading position: the webview is rebuilt on every tab switch and window reload, and
  // its state is what survives.
  const saved = vscode.getState();
  const savedY = saved && saved.lessonId === lessonId && typeof saved.scrollY === 'number' ? saved.scrollY : 0;
  vscode.setState({ lessonId, scrollY: savedY });
  let scrollTimer = 0;
  window.addEventListener(
    'scroll',
    () => {
      clearTimeout(scrollTimer);
      scrollTimer = setTimeout(() => vscode.setState({ lessonId, scrollY: window.scrollY }), 100);
    },
    { passive: true },
  );

  /** @param {boolean} complete */
  function showComplete(complete) {
    body.dataset.complete = String(complete);
    for (const button of document.querySelectorAll('[data-action="toggle-complete"]')) {
      button.setAttribute('aria-pressed', String(complete));
      button.textContent = complete ? '✓ Completed' : 'Mark as complete';
    }
  }

  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const link = target.closest('a');
    if (link) {
      if (link.dataset.lesson) {
        event.preventDefault();
        vscode.postMessage({ type: 'openLesson', lessonId: link.dataset.lesson, anchor: link.dataset.anchor });
        return;
      }
      if (link.hasAttribute('data-external')) {
        event.preventDefault();
        vscode.postMessage({ type: 'openExternal', url: link.getAttribute('href') });
        return;
      }
      if (link.hasAttribute('data-broken-link')) {
        event.preventDefault();
        return;
      }
    }
    const button = target.closest('button[data-action]');
    if (!(button instanceof HTMLButtonElement)) return;
    const snippet = button.closest('[data-snippet]');
    switch (button.dataset.action) {
      case 'toggle-complete':
        vscode.postMessage({ type: 'setComplete', complete: body.dataset.complete !== 'true' });
        break;
      case 'open-snippet':
        if (snippet instanceof HTMLElement) vscode.postMessage({ type: 'openSnippet', path: snippet.dataset.snippet });
        break;
      case 'run-snippet':
        if (snippet instanceof HTMLElement) vscode.postMessage({ type: 'runSnippet', path: snippet.dataset.snippet });
        break;
      case 'start-challenge':
        vscode.postMessage({ type: 'startChallenge', challengeId: button.dataset.challenge });
        break;
      case 'reveal-answer': {
        const answer = button.nextElementSibling;
        if (answer instanceof HTMLElement) {
          const reveal = answer.hidden;
          answer.hidden = !reveal;
          button.setAttribute('aria-expanded', String(reveal));
          button.textContent = reveal ? 'Hide answer' : 'Show answer';
        }
        break;
      }
      default:
        break;
    }
  });

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (message && message.type === 'complete' && typeof message.complete === 'boolean') showComplete(message.complete);
    if (message && message.type === 'highlight' && message.render === body.dataset.render && Array.isArray(message.html)) {
      // The colours of this page's code blocks, by index: the same text, as the highlighter's
      // escaped HTML with class-only spans (no styles, no scripts).
      for (const code of document.querySelectorAll('code[data-code]')) {
        const html = message.html[Number(code.getAttribute('data-code'))];
        if (typeof html === 'string') {
          code.innerHTML = html;
          code.removeAttribute('data-code');
        }
      }
    }
    if (message && message.type === 'scrollTo' && typeof message.anchor === 'string') document.getElementById(message.anchor)?.scrollIntoView();
  });

  if (body.dataset.anchor) document.getElementById(body.dataset.anchor)?.scrollIntoView();
  else if (savedY > 0) window.scrollTo(0, savedY);
  vscode.postMessage({ type: 'ready' });
})();
