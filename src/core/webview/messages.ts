// The messages the lesson webview may send. Everything from the webview is untrusted input:
// it is parsed against this schema and anything else is dropped.

export type LessonMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'openLesson'; readonly lessonId: string; readonly anchor?: string }
  | { readonly type: 'openExternal'; readonly url: string }
  | { readonly type: 'openSnippet'; readonly path: string }
  | { readonly type: 'runSnippet'; readonly path: string }
  | { readonly type: 'setComplete'; readonly complete: boolean }
  | { readonly type: 'startChallenge'; readonly challengeId: string };

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const ANCHOR = /^[\p{L}\p{N}_-]{1,200}$/u;
/** A snippet path relative to the content folder: no `..`, no absolute path. */
const SNIPPET_PATH = /^(?:[a-z0-9-]+\/)+[\w.-]+\.ts$/;

export function parseLessonMessage(raw: unknown): LessonMessage | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const message = raw as Record<string, unknown>;
  const text = (key: string, pattern: RegExp): string | undefined => {
    const value = message[key];
    return typeof value === 'string' && pattern.test(value) ? value : undefined;
  };
  switch (message.type) {
    case 'ready':
      return { type: 'ready' };
    case 'openLesson': {
      const lessonId = text('lessonId', ID);
      if (!lessonId) return undefined;
      const anchor = text('anchor', ANCHOR);
      return anchor ? { type: 'openLesson', lessonId, anchor } : { type: 'openLesson', lessonId };
    }
    case 'openExternal': {
      const url = message.url;
      if (typeof url !== 'string' || url.length > 2000) return undefined;
      try {
        const parsed = new URL(url);
        return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? { type: 'openExternal', url: parsed.href } : undefined;
      } catch {
        return undefined;
      }
    }
    case 'openSnippet':
    case 'runSnippet': {
      const path = text('path', SNIPPET_PATH);
      return path && !path.split('/').includes('..') ? { type: message.type, path } : undefined;
    }
    case 'setComplete':
      return typeof message.complete === 'boolean' ? { type: 'setComplete', complete: message.complete } : undefined;
    case 'startChallenge': {
      const challengeId = text('challengeId', ID);
      return challengeId ? { type: 'startChallenge', challengeId } : undefined;
    }
    default:
      return undefined;
  }
}
