// A one-shot HTTP GET on a fresh connection (agent: false, so no keep-alive
// reuse), used by the cluster snippets. It does not run on its own.
import http from 'node:http';

export interface GetResult {
  readonly status: number;
  readonly body: string;
}

export function get(port: number, path = '/', signal?: AbortSignal): Promise<GetResult> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, signal }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}
