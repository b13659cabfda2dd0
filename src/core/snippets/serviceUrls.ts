// The servers a snippet asks for, from the learner's side: Run in terminal passes the URLs
// the learner configured, or says how to get a server and runs nothing (content guide).
import { SNIPPET_SERVICES, type SnippetService } from './settings.ts';

/** The URL settings, by service: `backendStudy.databaseUrl` and `backendStudy.redisUrl`. */
export const SERVICE_SETTINGS = { postgres: 'databaseUrl', redis: 'redisUrl' } as const satisfies Record<SnippetService, string>;

const SCHEMES: Record<SnippetService, readonly string[]> = { postgres: ['postgres:', 'postgresql:'], redis: ['redis:', 'rediss:'] };
const NAMES: Record<SnippetService, string> = { postgres: 'a PostgreSQL server', redis: 'a Redis server' };
const EXAMPLES: Record<SnippetService, string> = {
  postgres: 'postgres://postgres@127.0.0.1:5432/postgres (Debian: apt-get install postgresql)',
  redis: 'redis://127.0.0.1:6379 (Debian: apt-get install redis-server)',
};

export type ServiceEnvironment =
  | { readonly ok: true; readonly env: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly message: string; readonly setting: string };

/**
 * The environment for a snippet's services from the configured URLs, or what is missing. A URL
 * that does not parse or has another scheme counts as missing (and says so): a snippet would
 * only fail later, further from the cause.
 */
export function serviceEnvironment(services: readonly SnippetService[], urls: Readonly<Partial<Record<SnippetService, string>>>): ServiceEnvironment {
  const env: Record<string, string> = {};
  for (const service of services) {
    const setting = `backendStudy.${SERVICE_SETTINGS[service]}`;
    const url = urls[service]?.trim() ?? '';
    if (url === '') {
      return { ok: false, setting, message: `This snippet needs ${NAMES[service]}. Set \`${setting}\` to its URL, such as ${EXAMPLES[service]}. Nothing was run.` };
    }
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      protocol = '';
    }
    if (!SCHEMES[service].includes(protocol)) {
      return { ok: false, setting, message: `\`${setting}\` must be a ${SCHEMES[service].map((scheme) => `${scheme}//`).join(' or ')} URL, such as ${EXAMPLES[service]}. Nothing was run.` };
    }
    env[SNIPPET_SERVICES[service]] = url;
  }
  return { ok: true, env };
}
