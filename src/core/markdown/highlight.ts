// Syntax highlighting as token classes (`hljs-keyword`, ...), never inline styles: the
// webview's stylesheet maps the classes to `--vscode-*` colours, so code follows the light,
// dark and high-contrast themes. Only the languages the content uses are registered, to keep
// the bundle small.
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import graphql from 'highlight.js/lib/languages/graphql';
import http from 'highlight.js/lib/languages/http';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import protobuf from 'highlight.js/lib/languages/protobuf';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import yaml from 'highlight.js/lib/languages/yaml';

const LANGUAGES = { bash, graphql, http, javascript, json, protobuf, sql, typescript, yaml };
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);
hljs.registerAliases(['ts', 'mts', 'cts'], { languageName: 'typescript' });
hljs.registerAliases(['js', 'mjs', 'cjs'], { languageName: 'javascript' });
hljs.registerAliases(['sh', 'shell', 'console'], { languageName: 'bash' });
hljs.registerAliases(['proto'], { languageName: 'protobuf' });
hljs.registerAliases(['yml'], { languageName: 'yaml' });

/** The language a file's extension or a fence's info string names, if we highlight it. */
export function languageOf(nameOrExtension: string): string | undefined {
  const key = nameOrExtension.replace(/^.*\./, '').toLowerCase();
  return hljs.getLanguage(key) ? key : undefined;
}

/** HTML-escaped code with `<span class="hljs-...">` tokens; plain escaped text for unknown languages. */
export function highlight(code: string, language: string | undefined): string {
  if (language && hljs.getLanguage(language)) return hljs.highlight(code, { language, ignoreIllegals: true }).value;
  return escapeHtml(code);
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
