// The extension's settings, typed, with their defaults, read in one place.
import * as vscode from 'vscode';

export interface Settings {
  readonly nodePath: string;
  readonly challengesFolder: string;
  readonly testTimeoutSeconds: number;
  readonly showStatusBar: boolean;
  /** The PostgreSQL a snippet that declares the service gets as DATABASE_URL when run from a lesson. */
  readonly databaseUrl: string;
  /** The Redis a snippet that declares the service gets as REDIS_URL when run from a lesson. */
  readonly redisUrl: string;
}

const DEFAULTS: Settings = { nodePath: '', challengesFolder: 'challenges', testTimeoutSeconds: 30, showStatusBar: true, databaseUrl: '', redisUrl: '' };

/** A setting's value; a value of the wrong type (a hand-edited settings.json) reads as the default. */
export function setting<K extends keyof Settings>(key: K, scope?: vscode.Uri): Settings[K] {
  const value: unknown = vscode.workspace.getConfiguration('backendStudy', scope).get(key);
  return typeof value === typeof DEFAULTS[key] ? (value as Settings[K]) : DEFAULTS[key];
}

export function affects(event: vscode.ConfigurationChangeEvent, key: keyof Settings): boolean {
  return event.affectsConfiguration(`backendStudy.${key}`);
}
