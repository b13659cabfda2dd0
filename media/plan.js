// The plan page's only script (loaded by nonce): clicks become messages, which the extension
// validates.
// @ts-check
(function () {
  const vscode = acquireVsCodeApi();
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const link = target.closest('a[data-open]');
    if (link instanceof HTMLElement) {
      event.preventDefault();
      vscode.postMessage({ type: 'open', kind: link.dataset.open, id: link.dataset.id });
      return;
    }
    const button = target.closest('button[data-command]');
    if (button instanceof HTMLButtonElement) vscode.postMessage({ type: 'command', command: button.dataset.command });
  });
})();
