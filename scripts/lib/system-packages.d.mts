// Types for system-packages.mjs, which stays JavaScript so `npm run setup` runs on any Node.
export declare const SYSTEM_PACKAGES: readonly string[];
export type SystemPlan = { action: 'none' } | { action: 'install'; commands: string[][] } | { action: 'print'; command: string };
export declare function planSystemPackages(facts: { missing: readonly string[]; hasApt: boolean; isRoot: boolean; hasSudo: boolean }): SystemPlan;
export declare function missingPackages(): string[];
export declare function systemFacts(): { missing: string[]; hasApt: boolean; isRoot: boolean; hasSudo: boolean };
