/**
 * Minimal Node.js type declarations for the Backend Interview Prep challenges.
 *
 * This is NOT @types/node: it is a small, hand-written subset of Node.js's APIs (the globals,
 * node:test, node:assert, node:http, node:crypto, node:events, node:timers/promises, node:util,
 * node:async_hooks), enough for the challenges to type-check in the editor without
 * `npm install`. The tests themselves run on Node.js 22.18+ / 24 directly.
 *
 * An API missing here is missing from this file only, not from Node.js. For complete types, run
 * the command "Backend Study: Install Node.js Types": it installs @types/node and removes this file.
 *
 * A global script (no top-level import or export): modules are `declare module 'node:...'` blocks.
 */

/// <reference lib="esnext.disposable" />

// ---- Timers -------------------------------------------------------------------------------------
declare namespace NodeJS {
  interface RefCounted { ref(): this; unref(): this }
  /** What setTimeout() and setInterval() return. */
  interface Timeout extends RefCounted, Disposable {
    hasRef(): boolean;
    /** refresh() restarts the timer with its original delay; close() cancels it (legacy). */
    refresh(): this;
    close(): this;
    /** The timer's id: a timer stored as a number can still be cleared with it. */
    [Symbol.toPrimitive](): number;
  }
  /** What setImmediate() returns. */
  interface Immediate extends RefCounted, Disposable { hasRef(): boolean }
}

// Each second overload lets a callback with one void-accepting parameter (a promise's
// `resolve`) be passed alone, as in @types/node: `new Promise((r) => setImmediate(r))`.
declare function setTimeout<A extends any[]>(callback: (...args: A) => void, delay?: number, ...args: A): NodeJS.Timeout;
declare function setTimeout(callback: (_: void) => void, delay?: number): NodeJS.Timeout;
declare function setInterval<A extends any[]>(callback: (...args: A) => void, delay?: number, ...args: A): NodeJS.Timeout;
declare function setInterval(callback: (_: void) => void, delay?: number): NodeJS.Timeout;
declare function setImmediate<A extends any[]>(callback: (...args: A) => void, ...args: A): NodeJS.Immediate;
declare function setImmediate(callback: (_: void) => void): NodeJS.Immediate;
declare function clearTimeout(timeout: NodeJS.Timeout | string | number | undefined): void;
declare function clearInterval(timeout: NodeJS.Timeout | string | number | undefined): void;
declare function clearImmediate(immediate: NodeJS.Immediate | undefined): void;
declare function queueMicrotask(callback: () => void): void;
declare function structuredClone<T = any>(value: T, options?: { transfer?: readonly unknown[] }): T;

// ---- console, performance, process --------------------------------------------------------------
interface Console {
  log(...data: unknown[]): void; info(...data: unknown[]): void; debug(...data: unknown[]): void;
  warn(...data: unknown[]): void; error(...data: unknown[]): void; trace(...data: unknown[]): void;
  dir(item: unknown, options?: { depth?: number | null; colors?: boolean; showHidden?: boolean }): void;
  table(data: unknown, properties?: readonly string[]): void;
  /** Prints `data` when `value` is falsy. Does not throw, unlike node:assert. */
  assert(value: unknown, ...data: unknown[]): void;
  time(label?: string): void; timeEnd(label?: string): void; timeLog(label?: string, ...data: unknown[]): void;
  count(label?: string): void; group(...label: unknown[]): void; groupEnd(): void;
}
declare var console: Console;

/** performance.now(): milliseconds since timeOrigin, sub-millisecond precision, monotonic. */
declare var performance: { now(): number; readonly timeOrigin: number };

declare namespace NodeJS {
  interface ProcessEnv { [name: string]: string | undefined }
  interface MemoryUsage { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number }
  interface WriteStream {
    write(chunk: string | Uint8Array, callback?: (error?: Error | null) => void): boolean;
    write(chunk: string | Uint8Array, encoding?: BufferEncoding, callback?: (error?: Error | null) => void): boolean;
    readonly isTTY?: boolean;
  }
  type Platform =
    | 'aix' | 'android' | 'cygwin' | 'darwin' | 'freebsd' | 'haiku' | 'linux' | 'netbsd' | 'openbsd' | 'sunos' | 'win32';
  interface ProcessEvents {
    exit: [code: number]; beforeExit: [code: number]; warning: [warning: Error];
    uncaughtException: [error: Error, origin: string];
    unhandledRejection: [reason: unknown, promise: Promise<unknown>];
    SIGINT: [signal: 'SIGINT']; SIGTERM: [signal: 'SIGTERM'];
  }
  type Listener = (...args: any[]) => void;
  interface Process {
    readonly env: ProcessEnv;
    argv: string[]; execArgv: string[];
    exitCode: number | string | null | undefined;
    exit(code?: number | string | null): never;
    nextTick<A extends any[]>(callback: (...args: A) => void, ...args: A): void;
    nextTick(callback: (_: void) => void): void;
    /** hrtime(): [seconds, nanoseconds]; hrtime(earlier) gives the difference. Prefer bigint(). */
    hrtime: { (time?: [number, number]): [number, number]; bigint(): bigint };
    memoryUsage: { (): MemoryUsage; rss(): number };
    uptime(): number; cwd(): string;
    readonly pid: number; readonly platform: Platform; readonly arch: string;
    /** e.g. 'v24.1.0'; versions.node is '24.1.0' */
    readonly version: string;
    readonly versions: { readonly node: string; readonly v8: string; readonly [name: string]: string | undefined };
    /** Kinds of the resources keeping the event loop alive: 'Timeout', 'TCPServerWrap', ... */
    getActiveResourcesInfo(): string[];
    emitWarning(warning: string | Error, type?: string, code?: string): void;
    emitWarning(warning: string | Error, options?: { type?: string; code?: string; detail?: string }): void;
    readonly stdout: WriteStream; readonly stderr: WriteStream;
    // Typed listeners for the events in ProcessEvents; any other event name is accepted too.
    on<E extends keyof ProcessEvents>(event: E, listener: (...args: ProcessEvents[E]) => void): this;
    on(event: string | symbol, listener: Listener): this;
    once<E extends keyof ProcessEvents>(event: E, listener: (...args: ProcessEvents[E]) => void): this;
    once(event: string | symbol, listener: Listener): this;
    off(event: string | symbol, listener: Listener): this;
    removeAllListeners(event?: string | symbol): this;
  }
}
declare var process: NodeJS.Process;

// ---- Event, EventTarget, AbortController, AbortSignal, DOMException -----------------------------
interface EventInit { bubbles?: boolean; cancelable?: boolean; composed?: boolean }
interface Event {
  readonly type: string; readonly target: EventTarget | null; readonly currentTarget: EventTarget | null;
  readonly cancelable: boolean; readonly defaultPrevented: boolean; readonly timeStamp: number;
  preventDefault(): void; stopPropagation(): void; stopImmediatePropagation(): void;
}
declare var Event: { prototype: Event; new (type: string, eventInitDict?: EventInit): Event };

type EventListener = (event: Event) => void;
interface EventListenerObject { handleEvent(event: Event): void }
type EventListenerOrEventListenerObject = EventListener | EventListenerObject;
interface EventListenerOptions { capture?: boolean }
/** once: removed after its first call; signal: removed when the signal aborts. */
interface AddEventListenerOptions extends EventListenerOptions { once?: boolean; passive?: boolean; signal?: AbortSignal }
interface EventTarget {
  addEventListener(
    type: string, listener: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean): void;
  removeEventListener(
    type: string, listener: EventListenerOrEventListenerObject | null, options?: EventListenerOptions | boolean): void;
  dispatchEvent(event: Event): boolean;
}
declare var EventTarget: { prototype: EventTarget; new (): EventTarget };

interface AbortSignal extends EventTarget {
  readonly aborted: boolean;
  /** What abort() was given, or a DOMException named 'AbortError' or 'TimeoutError'. `any` as in the DOM types. */
  readonly reason: any;
  onabort: ((this: AbortSignal, event: Event) => any) | null;
  /** Throws `reason` if the signal has aborted. */
  throwIfAborted(): void;
}
// `new AbortSignal()` throws, but `x instanceof AbortSignal` works: hence an abstract constructor.
declare var AbortSignal: (abstract new () => AbortSignal) & {
  prototype: AbortSignal;
  /** A signal that has already aborted. */
  abort(reason?: any): AbortSignal;
  /** Aborts with a 'TimeoutError' DOMException after `milliseconds`. */
  timeout(milliseconds: number): AbortSignal;
  /** Aborts as soon as one of `signals` does, with its reason. */
  any(signals: readonly AbortSignal[]): AbortSignal;
};
interface AbortController { readonly signal: AbortSignal; abort(reason?: any): void }
declare var AbortController: { prototype: AbortController; new (): AbortController };

/** name: 'AbortError', 'TimeoutError', ...; code: the legacy number (20 for AbortError, 23 for TimeoutError). */
interface DOMException extends Error { readonly name: string; readonly message: string; readonly code: number }
declare var DOMException: {
  prototype: DOMException;
  new (message?: string, options?: string | { name?: string; cause?: unknown }): DOMException;
};

// ---- TextEncoder, TextDecoder, URL, Buffer, crypto ----------------------------------------------
interface TextEncoder { readonly encoding: 'utf-8'; encode(input?: string): Uint8Array }
declare var TextEncoder: { prototype: TextEncoder; new (): TextEncoder };
interface TextDecoder {
  readonly encoding: string;
  decode(input?: ArrayBuffer | ArrayBufferView, options?: { stream?: boolean }): string;
}
declare var TextDecoder: { prototype: TextDecoder; new (label?: string, options?: { fatal?: boolean }): TextDecoder };

declare class URLSearchParams implements Iterable<[string, string]> {
  constructor(init?: string | Record<string, string> | Iterable<readonly [string, string]>);
  readonly size: number;
  get(name: string): string | null; getAll(name: string): string[]; has(name: string, value?: string): boolean;
  set(name: string, value: string): void; append(name: string, value: string): void;
  delete(name: string, value?: string): void;
  sort(): void;
  entries(): IterableIterator<[string, string]>; keys(): IterableIterator<string>; values(): IterableIterator<string>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
  toString(): string;
}
declare class URL {
  constructor(input: string | URL, base?: string | URL);
  static canParse(input: string, base?: string): boolean;
  href: string; readonly origin: string; protocol: string; username: string; password: string;
  host: string; hostname: string; port: string; pathname: string; search: string; hash: string;
  readonly searchParams: URLSearchParams;
  toString(): string;
  toJSON(): string;
}

type BufferEncoding =
  | 'ascii' | 'utf8' | 'utf-8' | 'utf16le' | 'ucs2' | 'ucs-2' | 'base64' | 'base64url' | 'latin1' | 'binary' | 'hex';
/** A Uint8Array with string conversions. Only a few of Buffer's methods are declared here. */
interface Buffer extends Uint8Array {
  toString(encoding?: BufferEncoding, start?: number, end?: number): string;
  equals(other: Uint8Array): boolean;
}
declare var Buffer: {
  from(data: string, encoding?: BufferEncoding): Buffer;
  from(data: ArrayLike<number> | ArrayBuffer | Uint8Array): Buffer;
  alloc(size: number, fill?: number | string): Buffer;
  byteLength(data: string | ArrayBuffer | ArrayBufferView, encoding?: BufferEncoding): number;
  concat(list: readonly Uint8Array[], totalLength?: number): Buffer;
  isBuffer(value: unknown): value is Buffer;
};

/** The global Web Crypto object: only its two synchronous helpers are declared here. */
declare var crypto: {
  randomUUID(): `${string}-${string}-${string}-${string}-${string}`;
  getRandomValues<T extends ArrayBufferView>(array: T): T;
};

// ---- node:test (https://nodejs.org/api/test.html) -----------------------------------------------
declare module 'node:test' {
  import type { AssertLegacy } from 'node:assert';
  /** With a second parameter (`done`), the test ends when `done` is called. */
  type TestFn = (t: TestContext, done: (result?: unknown) => void) => void | Promise<void>;
  type SuiteFn = (s: SuiteContext) => void | Promise<void>;
  type HookFn = (c: TestContext | SuiteContext, done: (result?: unknown) => void) => unknown;
  /** timeout: ms before the test fails (default: Infinity); plan: how many assertions and subtests must run. */
  interface TestOptions {
    timeout?: number; skip?: boolean | string; todo?: boolean | string; only?: boolean;
    concurrency?: number | boolean; signal?: AbortSignal; plan?: number;
  }
  interface HookOptions { signal?: AbortSignal; timeout?: number }

  /** The call forms of test(), it(), describe() and suite(): name, options and fn are all optional. */
  interface RunCall<Fn> {
    (name?: string, fn?: Fn): Promise<void>;
    (name?: string, options?: TestOptions, fn?: Fn): Promise<void>;
    (options?: TestOptions, fn?: Fn): Promise<void>;
    (fn?: Fn): Promise<void>;
  }
  interface Runner<Fn> extends RunCall<Fn> { skip: RunCall<Fn>; todo: RunCall<Fn>; only: RunCall<Fn> }

  type AssertName = Exclude<keyof AssertLegacy, 'AssertionError' | 'strict'> | 'snapshot';
  interface TestContext {
    readonly name: string;
    /** The names of the test and its ancestors, joined by ' > '. */
    readonly fullName: string;
    readonly filePath: string | undefined;
    /** Aborts when the test finishes or times out. */
    readonly signal: AbortSignal;
    readonly mock: MockTracker;
    /** node:assert's functions, counted by plan(). Typed loosely, without narrowing: an assertion signature
     *  called through a parameter typed from context, such as `t`, is a compile error (TS2775). */
    readonly assert: { readonly [K in AssertName]: (...args: any[]) => void };
    /** Marks the test as skipped (or todo). It still runs on: return after calling it. */
    skip(message?: string): void; todo(message?: string): void;
    diagnostic(message: string): void;
    plan(count: number, options?: { wait?: boolean | number }): void;
    runOnly(shouldRunOnlyTests: boolean): void;
    /** Runs a subtest: await it. */
    test: RunCall<TestFn>;
    waitFor<T>(condition: () => T, options?: { interval?: number; timeout?: number }): Promise<Awaited<T>>;
    before: ContextHook; after: ContextHook; beforeEach: ContextHook; afterEach: ContextHook;
  }
  type ContextHook = (fn?: (t: TestContext) => unknown, options?: HookOptions) => void;
  interface SuiteContext {
    readonly name: string; readonly fullName: string; readonly filePath: string | undefined; readonly signal: AbortSignal;
  }

  // Mocks. `Function` is used as in @types/node, so that any function or method fits.
  type Mock<F extends Function> = F & { mock: MockFunctionContext<F> };
  /** One recorded call. `result` is undefined if it threw; `error` is undefined if it returned. */
  interface MockFunctionCall<F extends Function> {
    arguments: F extends (...args: infer A) => any ? A : unknown[];
    result: (F extends (...args: any) => infer R ? R : unknown) | undefined;
    error: unknown; this: unknown; target: unknown; stack: Error;
  }
  interface MockFunctionContext<F extends Function> {
    readonly calls: MockFunctionCall<F>[];
    callCount(): number;
    mockImplementation(implementation: F): void;
    /** Uses `implementation` for call number `onCall` only (default: the next call). */
    mockImplementationOnce(implementation: F, onCall?: number): void;
    resetCalls(): void; restore(): void;
  }
  /** `times`: after this many calls the original runs again. */
  interface MockFunctionOptions { times?: number }
  type MethodNames<T> = { [K in keyof T]: T[K] extends Function ? K : never }[keyof T];
  interface MockTracker {
    fn<F extends Function = (...args: any[]) => undefined>(original?: F, options?: MockFunctionOptions): Mock<F>;
    fn<F extends Function = (...args: any[]) => undefined, I extends Function = F>(
      original?: F, implementation?: I, options?: MockFunctionOptions): Mock<F | I>;
    method<T extends object, K extends MethodNames<T>>(
      object: T, methodName: K, options?: MockFunctionOptions): T[K] extends Function ? Mock<T[K]> : never;
    method<T extends object, K extends MethodNames<T>, I extends Function>(object: T, methodName: K, implementation: I,
      options?: MockFunctionOptions): T[K] extends Function ? Mock<T[K] | I> : never;
    getter<T extends object, K extends keyof T>(
      object: T, name: K, implementation?: () => T[K], options?: MockFunctionOptions): Mock<() => T[K]>;
    setter<T extends object, K extends keyof T>(object: T, name: K, implementation?: (value: T[K]) => void,
      options?: MockFunctionOptions): Mock<(value: T[K]) => void>;
    /** Both restore every original; reset() also detaches the mocks from this tracker. */
    reset(): void; restoreAll(): void;
    readonly timers: MockTimers;
  }
  /** apis: which globals to mock (default: all four); now: the mocked Date.now() at enable() (default: 0). */
  interface MockTimersOptions {
    apis?: ReadonlyArray<'setInterval' | 'setTimeout' | 'setImmediate' | 'Date'>;
    now?: number | Date;
  }
  /** tick(ms = 1) advances the mocked clock, running due timers in order; runAll() runs every pending
   *  timer; setTime() sets the mocked Date.now(); reset() (or dispose) restores the real ones. */
  interface MockTimers extends Disposable {
    enable(options?: MockTimersOptions): void;
    tick(milliseconds?: number): void;
    runAll(): void;
    setTime(milliseconds: number): void;
    reset(): void;
  }

  const test: Runner<TestFn> & {
    test: Runner<TestFn>; it: Runner<TestFn>; describe: Runner<SuiteFn>; suite: Runner<SuiteFn>;
    before: typeof before; after: typeof after; beforeEach: typeof beforeEach; afterEach: typeof afterEach;
    mock: MockTracker;
  };
  const it: Runner<TestFn>;
  const describe: Runner<SuiteFn>;
  const suite: Runner<SuiteFn>;
  function before(fn?: HookFn, options?: HookOptions): void;
  function after(fn?: HookFn, options?: HookOptions): void;
  function beforeEach(fn?: HookFn, options?: HookOptions): void;
  function afterEach(fn?: HookFn, options?: HookOptions): void;
  const mock: MockTracker;

  export default test;
  export {
    test, it, describe, suite, before, after, beforeEach, afterEach, mock,
    TestFn, SuiteFn, HookFn, TestOptions, HookOptions, TestContext, SuiteContext,
    Mock, MockFunctionCall, MockFunctionContext, MockFunctionOptions, MockTracker, MockTimers, MockTimersOptions,
  };
}

// ---- node:assert and node:assert/strict ---------------------------------------------------------
declare module 'node:assert' {
  type Message = string | Error;
  /** A class, a RegExp for the message, a validation function, or an object to compare with. */
  type AssertPredicate = RegExp | (new () => object) | ((thrown: unknown) => boolean) | object | Error;
  type Block = (() => Promise<unknown>) | Promise<unknown>;
  class AssertionError extends Error {
    constructor(options: { message?: string; actual?: unknown; expected?: unknown; operator?: string });
    actual: unknown; expected: unknown; operator: string; generatedMessage: boolean; code: 'ERR_ASSERTION';
  }
  /** Throws an AssertionError unless `value` is truthy. */
  function ok(value: unknown, message?: Message): asserts value;
  function fail(message?: Message): never;
  // Legacy comparisons (==). node:assert/strict uses the strict ones under these names.
  function equal(actual: unknown, expected: unknown, message?: Message): void;
  function notEqual(actual: unknown, expected: unknown, message?: Message): void;
  function deepEqual(actual: unknown, expected: unknown, message?: Message): void;
  function notDeepEqual(actual: unknown, expected: unknown, message?: Message): void;
  // Strict comparisons (Object.is, deep strict equality).
  function strictEqual<T>(actual: unknown, expected: T, message?: Message): asserts actual is T;
  function notStrictEqual(actual: unknown, expected: unknown, message?: Message): void;
  function deepStrictEqual<T>(actual: unknown, expected: T, message?: Message): asserts actual is T;
  function notDeepStrictEqual(actual: unknown, expected: unknown, message?: Message): void;
  function throws(fn: () => unknown, message?: Message): void;
  function throws(fn: () => unknown, error: AssertPredicate, message?: Message): void;
  function doesNotThrow(fn: () => unknown, message?: Message): void;
  function doesNotThrow(fn: () => unknown, error: AssertPredicate, message?: Message): void;
  /** Awaits the promise (or the one `fn` returns) and expects it to reject. Await the result. */
  function rejects(block: Block, message?: Message): Promise<void>;
  function rejects(block: Block, error: AssertPredicate, message?: Message): Promise<void>;
  function doesNotReject(block: Block, message?: Message): Promise<void>;
  function doesNotReject(block: Block, error: AssertPredicate, message?: Message): Promise<void>;
  function match(value: string, regExp: RegExp, message?: Message): void;
  function doesNotMatch(value: string, regExp: RegExp, message?: Message): void;
  /** Throws `value` unless it is null or undefined (for error-first callbacks). */
  function ifError(value: unknown): asserts value is null | undefined;

  /** What both modes share. */
  interface AssertBase {
    (value: unknown, message?: Message): asserts value;
    ok: typeof ok; fail: typeof fail; ifError: typeof ifError; AssertionError: typeof AssertionError;
    strictEqual: typeof strictEqual; notStrictEqual: typeof notStrictEqual;
    deepStrictEqual: typeof deepStrictEqual; notDeepStrictEqual: typeof notDeepStrictEqual;
    throws: typeof throws; doesNotThrow: typeof doesNotThrow; rejects: typeof rejects; doesNotReject: typeof doesNotReject;
    match: typeof match; doesNotMatch: typeof doesNotMatch;
    strict: AssertStrict;
  }
  interface AssertStrict extends AssertBase {
    equal: typeof strictEqual; notEqual: typeof notStrictEqual;
    deepEqual: typeof deepStrictEqual; notDeepEqual: typeof notDeepStrictEqual;
  }
  interface AssertLegacy extends AssertBase {
    equal: typeof equal; notEqual: typeof notEqual; deepEqual: typeof deepEqual; notDeepEqual: typeof notDeepEqual;
  }
  const assert: AssertLegacy;
  const strict: AssertStrict;

  export default assert;
  export {
    Message, AssertPredicate, AssertionError, AssertBase, AssertStrict, AssertLegacy, strict,
    ok, fail, equal, notEqual, deepEqual, notDeepEqual, strictEqual, notStrictEqual, deepStrictEqual,
    notDeepStrictEqual, throws, doesNotThrow, rejects, doesNotReject, match, doesNotMatch, ifError,
  };
}

declare module 'node:assert/strict' {
  import { strict, strictEqual, notStrictEqual, deepStrictEqual, notDeepStrictEqual } from 'node:assert';
  export * from 'node:assert';
  export default strict;
  // In strict mode the short names are the strict comparisons (these exports override the star export).
  export {
    strictEqual as equal, notStrictEqual as notEqual, deepStrictEqual as deepEqual, notDeepStrictEqual as notDeepEqual,
  };
}

// ---- node:events --------------------------------------------------------------------------------
declare module 'node:events' {
  // Listener arguments are `any`, so that a listener can declare the types it receives.
  type Listener = (...args: any[]) => void;
  type Emitter = EventEmitter | EventTarget;
  type Name = string | symbol;
  class EventEmitter {
    constructor(options?: { captureRejections?: boolean });
    static defaultMaxListeners: number;
    static once(emitter: Emitter, eventName: Name, options?: { signal?: AbortSignal }): Promise<any[]>;
    static on(emitter: Emitter, eventName: Name, options?: { signal?: AbortSignal }): AsyncIterableIterator<any[]>;
    on(eventName: Name, listener: Listener): this;
    once(eventName: Name, listener: Listener): this;
    off(eventName: Name, listener: Listener): this;
    addListener(eventName: Name, listener: Listener): this; removeListener(eventName: Name, listener: Listener): this;
    prependListener(eventName: Name, listener: Listener): this;
    removeAllListeners(eventName?: Name): this;
    /** Calls the listeners synchronously, in order. Returns whether there were any. */
    emit(eventName: Name, ...args: unknown[]): boolean;
    listenerCount(eventName: Name, listener?: Listener): number;
    listeners(eventName: Name): Function[];
    eventNames(): Name[];
    setMaxListeners(n: number): this; getMaxListeners(): number;
  }
  /** Resolves with the arguments of the next `eventName` event; rejects on 'error' or abort. */
  function once(emitter: Emitter, eventName: Name, options?: { signal?: AbortSignal }): Promise<any[]>;
  /** Iterates over the arguments of every `eventName` event. */
  function on(emitter: Emitter, eventName: Name, options?: { signal?: AbortSignal }): AsyncIterableIterator<any[]>;
  /** Listens for 'abort' even if another listener stops propagation. Dispose the result to stop. */
  function addAbortListener(signal: AbortSignal, listener: (event: Event) => void): Disposable;
  export default EventEmitter;
  export { EventEmitter, once, on, addAbortListener };
}

// ---- node:http ----------------------------------------------------------------------------------
declare module 'node:http' {
  import { EventEmitter } from 'node:events';
  /** Header names are lower-cased. */
  interface IncomingHttpHeaders { [name: string]: string | string[] | undefined; 'set-cookie'?: string[] }
  type OutgoingHttpHeader = number | string | readonly string[];
  interface OutgoingHttpHeaders { [name: string]: OutgoingHttpHeader | undefined }
  interface AddressInfo { address: string; family: string; port: number }
  interface Socket extends EventEmitter {
    readonly remoteAddress?: string; readonly remotePort?: number; destroy(error?: Error): this;
  }
  type WriteCallback = (error?: Error | null) => void;
  type Chunk = string | Uint8Array;

  /** A request as the server sees it, or a response as the client sees it: a readable stream. */
  class IncomingMessage extends EventEmitter implements AsyncIterable<any> {
    headers: IncomingHttpHeaders; rawHeaders: string[]; httpVersion: string;
    /** Server side only. `url` is the path and query, e.g. '/items?page=2'. */
    method?: string;
    url?: string;
    /** Client side only. */
    statusCode?: number; statusMessage?: string;
    socket: Socket;
    /** With an encoding, 'data' events and async iteration give strings instead of Buffers. */
    setEncoding(encoding: BufferEncoding): this;
    pause(): this; resume(): this; destroy(error?: Error): this;
    [Symbol.asyncIterator](): AsyncIterator<any>;
  }

  class ServerResponse extends EventEmitter {
    statusCode: number; statusMessage: string;
    readonly headersSent: boolean; readonly writableEnded: boolean;
    readonly req: IncomingMessage;
    setHeader(name: string, value: OutgoingHttpHeader): this;
    getHeader(name: string): OutgoingHttpHeader | undefined; getHeaders(): OutgoingHttpHeaders;
    hasHeader(name: string): boolean; removeHeader(name: string): void;
    writeHead(statusCode: number, statusMessage?: string, headers?: OutgoingHttpHeaders): this;
    writeHead(statusCode: number, headers?: OutgoingHttpHeaders): this;
    write(chunk: Chunk, callback?: WriteCallback): boolean;
    write(chunk: Chunk, encoding: BufferEncoding, callback?: WriteCallback): boolean;
    end(callback?: () => void): this;
    end(chunk: Chunk, callback?: () => void): this;
    end(chunk: Chunk, encoding: BufferEncoding, callback?: () => void): this;
  }

  type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
  interface ServerOptions { keepAliveTimeout?: number; requestTimeout?: number; headersTimeout?: number }
  interface ListenOptions { port?: number; host?: string; backlog?: number; signal?: AbortSignal }
  class Server extends EventEmitter {
    constructor(requestListener?: RequestListener);
    constructor(options: ServerOptions, requestListener?: RequestListener);
    /** Port 0 picks a free port: read it back from address(). */
    listen(port?: number, hostname?: string, backlog?: number, listeningListener?: () => void): this;
    listen(port?: number, hostname?: string, listeningListener?: () => void): this;
    listen(port?: number, listeningListener?: () => void): this;
    listen(options: ListenOptions, listeningListener?: () => void): this;
    /** AddressInfo when listening on a port, a string for a pipe, null before listening. */
    address(): AddressInfo | string | null;
    /** Stops accepting connections; the callback runs once the open ones have closed. */
    close(callback?: (error?: Error) => void): this;
    closeAllConnections(): void; closeIdleConnections(): void;
    readonly listening: boolean; keepAliveTimeout: number; requestTimeout: number; headersTimeout: number;
  }

  interface RequestOptions {
    protocol?: string; host?: string; hostname?: string; port?: number | string; path?: string; method?: string;
    headers?: OutgoingHttpHeaders; timeout?: number; signal?: AbortSignal;
    /** false: a connection of its own, closed after the response. An http.Agent is typed loosely. */
    agent?: boolean | object;
  }
  /** An outgoing request. Loosely typed: on() takes any event name. */
  class ClientRequest extends EventEmitter {
    setHeader(name: string, value: OutgoingHttpHeader): this;
    write(chunk: Chunk, callback?: WriteCallback): boolean;
    end(callback?: () => void): this;
    end(chunk: Chunk, callback?: () => void): this;
    setTimeout(msecs: number, callback?: () => void): this;
    destroy(error?: Error): this;
  }
  type ResponseCallback = (res: IncomingMessage) => void;

  function createServer(requestListener?: RequestListener): Server;
  function createServer(options: ServerOptions, requestListener?: RequestListener): Server;
  function request(options: RequestOptions | string | URL, callback?: ResponseCallback): ClientRequest;
  function request(url: string | URL, options: RequestOptions, callback?: ResponseCallback): ClientRequest;
  /** request() with method GET, end() already called. */
  function get(options: RequestOptions | string | URL, callback?: ResponseCallback): ClientRequest;
  function get(url: string | URL, options: RequestOptions, callback?: ResponseCallback): ClientRequest;
  const STATUS_CODES: { readonly [code: number]: string | undefined };

  export {
    IncomingHttpHeaders, OutgoingHttpHeader, OutgoingHttpHeaders, AddressInfo, Socket, IncomingMessage, ServerResponse,
    RequestListener, ServerOptions, ListenOptions, Server, RequestOptions, ClientRequest, ResponseCallback,
    createServer, request, get, STATUS_CODES,
  };
}

// ---- node:crypto --------------------------------------------------------------------------------
declare module 'node:crypto' {
  type BinaryToTextEncoding = 'base64' | 'base64url' | 'hex' | 'binary' | 'latin1';
  type BinaryLike = string | ArrayBufferView;
  interface Hash {
    update(data: BinaryLike): Hash;
    update(data: string, inputEncoding: BufferEncoding): Hash;
    digest(): Buffer;
    digest(encoding: BinaryToTextEncoding): string;
  }
  /** A random version 4 UUID, e.g. '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed'. */
  function randomUUID(options?: { disableEntropyCache?: boolean }): `${string}-${string}-${string}-${string}-${string}`;
  /** A random integer n with min <= n < max (min defaults to 0). */
  function randomInt(max: number): number;
  function randomInt(min: number, max: number): number;
  function randomBytes(size: number): Buffer;
  /** createHash('sha256').update(data).digest('hex') */
  function createHash(algorithm: string): Hash;
  function createHmac(algorithm: string, key: BinaryLike): Hash;
  /** Compares in constant time. Throws if the lengths differ. */
  function timingSafeEqual(a: ArrayBufferView, b: ArrayBufferView): boolean;
  export {
    BinaryToTextEncoding, BinaryLike, Hash, randomUUID, randomInt, randomBytes, createHash, createHmac, timingSafeEqual,
  };
}

// ---- node:timers/promises -----------------------------------------------------------------------
declare module 'node:timers/promises' {
  /** ref: false lets the process exit while the timer is pending; aborting `signal` rejects with an AbortError. */
  interface TimerOptions { ref?: boolean; signal?: AbortSignal }
  /** Resolves with `value` after `delay` ms. */
  function setTimeout<T = void>(delay?: number, value?: T, options?: TimerOptions): Promise<T>;
  function setImmediate<T = void>(value?: T, options?: TimerOptions): Promise<T>;
  /** Yields `value` every `delay` ms: `for await (const _ of setInterval(100)) { ... }`. */
  function setInterval<T = void>(delay?: number, value?: T, options?: TimerOptions): AsyncIterableIterator<T>;
  const scheduler: { wait(delay: number, options?: { signal?: AbortSignal }): Promise<void>; yield(): Promise<void> };
  export { TimerOptions, setTimeout, setImmediate, setInterval, scheduler };
}

// ---- node:util (a few helpers) and node:async_hooks (AsyncLocalStorage) -------------------------
declare module 'node:util' {
  interface InspectOptions { depth?: number | null; colors?: boolean; showHidden?: boolean; compact?: boolean | number }
  const inspect: {
    (object: unknown, options?: InspectOptions): string;
    /** Define `[inspect.custom](depth, options)` on a class to control how it prints. */
    readonly custom: unique symbol;
  };
  /** printf-like: %s %d %i %f %j %o %O %%. */
  function format(format?: unknown, ...args: unknown[]): string;
  /** Loosely typed here: the result takes any arguments and resolves to `any`. */
  function promisify(fn: Function): (...args: any[]) => Promise<any>;
  function isDeepStrictEqual(a: unknown, b: unknown): boolean;
  const types: { isPromise(value: unknown): value is Promise<unknown>; isNativeError(value: unknown): value is Error };
  export { InspectOptions, inspect, format, promisify, isDeepStrictEqual, types };
}

declare module 'node:async_hooks' {
  /** A value that follows an async call chain, e.g. a request id for every log line. */
  class AsyncLocalStorage<T> {
    /** The store of the enclosing run(), or undefined outside of one. */
    getStore(): T | undefined;
    run<R>(store: T, callback: () => R): R;
    run<R, A extends any[]>(store: T, callback: (...args: A) => R, ...args: A): R;
    exit<R>(callback: () => R): R;
    enterWith(store: T): void; disable(): void;
  }
  export { AsyncLocalStorage };
}

// ---- The same modules without the 'node:' prefix (node:test exists only with it). ---------------
declare module 'assert' { export * from 'node:assert'; export { default } from 'node:assert'; }
declare module 'assert/strict' { export * from 'node:assert/strict'; export { default } from 'node:assert/strict'; }
declare module 'events' { export * from 'node:events'; export { default } from 'node:events'; }
declare module 'http' { export * from 'node:http'; }
declare module 'crypto' { export * from 'node:crypto'; }
declare module 'timers/promises' { export * from 'node:timers/promises'; }
declare module 'util' { export * from 'node:util'; }
declare module 'async_hooks' { export * from 'node:async_hooks'; }
