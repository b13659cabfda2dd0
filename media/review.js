// The review page's only script (loaded by nonce): buttons and keys become messages, which the
// extension validates. Space shows the answer, 1 to 4 rate, U undoes; inside the answer box
// keys type, and Ctrl+Enter (Cmd+Enter) shows the answer. What the learner typed survives a
// tab switch through the webview state.
// @ts-check
(function () {
  const vscode = acquireVsCodeApi();
  const body = document.body;
  const card = body.dataset.card;
  const revealed = body.dataset.revealed === 'true';
  /** The sitting's limits: the extension reads them back from the state after a window reload. */
  let options = {};
  try {
    options = JSON.parse(body.dataset.options || '{}');
  } catch {
    options = {};
  }
  const scratch = document.getElementById('scratch');
  const saved = vscode.getState();
  vscode.setState({ options, card, scratch: saved && saved.card === card ? saved.scratch : '' });
  if (scratch instanceof HTMLTextAreaElement) {
    if (saved && saved.card === card && typeof saved.scratch === 'string' && scratch.value === '') scratch.value = saved.scratch;
    scratch.addEventListener('input', () => vscode.setState({ options, card, scratch: scratch.value }));
    scratch.focus();
  }

  function reveal() {
    vscode.postMessage({ type: 'reveal', scratch: scratch instanceof HTMLTextAreaElement ? scratch.value : '' });
  }

  /** @param {string} rating */
  function rate(rating) {
    vscode.setState({ options, card: undefined, scratch: '' });
    vscode.postMessage({ type: 'rate', rating });
  }

  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const link = target.closest('a');
    if (link) {
      event.preventDefault();
      if (link.dataset.lesson) vscode.postMessage({ type: 'openLesson', lessonId: link.dataset.lesson });
      else if (/^https?:/.test(link.getAttribute('href') || '')) vscode.postMessage({ type: 'openExternal', url: link.getAttribute('href') });
      return;
    }
    const button = target.closest('button[data-action]');
    if (!(button instanceof HTMLButtonElement)) return;
    switch (button.dataset.action) {
      case 'reveal':
        reveal();
        break;
      case 'rate':
        if (button.dataset.rating) rate(button.dataset.rating);
        break;
      case 'undo':
        vscode.postMessage({ type: 'undo' });
        break;
      case 'cram':
        vscode.postMessage({ type: 'cram' });
        break;
      default:
        break;
    }
  });

  const ratings = ['again', 'hard', 'good', 'easy'];
  document.addEventListener('keydown', (event) => {
    if (event.target === scratch) {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        reveal();
      }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === ' ' && card && !revealed) {
      event.preventDefault();
      reveal();
    } else if (revealed && /^[1-4]$/.test(event.key)) {
      event.preventDefault();
      rate(ratings[Number(event.key) - 1]);
    } else if (event.key === 'u' || event.key === 'U') {
      vscode.postMessage({ type: 'undo' });
    }
  });
})();
