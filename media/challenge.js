// The challenge statement webview's only script (loaded by nonce): clicks become messages,
// which the extension validates; the reading position survives re-renders and tab switches.
// @ts-check
(function () {
  const vscode = acquireVsCodeApi();
  const challengeId = document.body.dataset.challengeId;
  const state = vscode.getState();
  const anchor = document.body.dataset.anchor && document.getElementById(document.body.dataset.anchor);
  if (anchor) anchor.scrollIntoView();
  else if (state && state.challengeId === challengeId && typeof state.scrollY === 'number') window.scrollTo(0, state.scrollY);
  vscode.setState({ challengeId, scrollY: window.scrollY });
  window.addEventListener('scroll', () => vscode.setState({ challengeId, scrollY: window.scrollY }), { passive: true });
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const link = target && target.closest('a[data-lesson]');
    if (link instanceof HTMLElement) {
      event.preventDefault();
      vscode.postMessage({ type: 'openLesson', lessonId: link.dataset.lesson });
      return;
    }
    const button = target && target.closest('button[data-action]');
    if (!(button instanceof HTMLButtonElement)) return;
    if (button.dataset.action === 'start-challenge') vscode.postMessage({ type: 'startChallenge' });
    if (button.dataset.action === 'show-next-hint') vscode.postMessage({ type: 'showNextHint' });
  });
  window.addEventListener('message', (event) => {
    if (event.data && event.data.type === 'scrollTo' && typeof event.data.anchor === 'string') document.getElementById(event.data.anchor)?.scrollIntoView();
  });
})();
