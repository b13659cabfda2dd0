// Types for ports.mjs, which stays JavaScript so the launchers run on any Node.
export declare function freePort(): Promise<number>;
