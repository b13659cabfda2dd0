// A minimal reader for V8's .heapsnapshot JSON, enough to answer the two questions a
// leak investigation starts with: "how many objects of this kind are there?" and
// "what keeps this one alive?".
//
// The format is undocumented and changes between V8 versions (Node 22.18 has a
// `trace_node_id` node field that Node 24 dropped), so every offset is read from
// `snapshot.meta` instead of being hard-coded.
//
// It parses the whole file with JSON.parse, so it holds the text and the parsed arrays at
// once: fine for the few-MiB snapshots of a test or a demo. Read a production snapshot
// (hundreds of MiB) offline, on another machine, with DevTools or a streaming parser,
// never inside the process it came from.

interface SnapshotMeta {
  node_fields: string[];
  node_types: [string[], ...unknown[]];
  edge_fields: string[];
  edge_types: [string[], ...unknown[]];
}

interface RawSnapshot {
  snapshot: { meta: SnapshotMeta; node_count: number; edge_count: number };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface ClassSummary {
  name: string;
  count: number;
  selfBytes: number;
}

export class HeapSnapshot {
  readonly nodeCount: number;
  readonly #raw: RawSnapshot;
  readonly #nodeFieldCount: number;
  readonly #edgeFieldCount: number;
  readonly #nodeType: number;
  readonly #nodeName: number;
  readonly #nodeSelfSize: number;
  readonly #nodeEdgeCount: number;
  readonly #edgeType: number;
  readonly #edgeName: number;
  readonly #edgeTo: number;
  readonly #nodeTypes: string[];
  readonly #edgeTypes: string[];
  /** Index of each node's first edge in `edges`, computed once. */
  readonly #firstEdge: Uint32Array;

  constructor(json: string) {
    const raw = JSON.parse(json) as RawSnapshot;
    const meta = raw.snapshot?.meta;
    if (!meta || !Array.isArray(raw.nodes) || !Array.isArray(raw.edges)) {
      throw new TypeError('not a V8 heap snapshot');
    }
    const field = (fields: string[], name: string): number => {
      const index = fields.indexOf(name);
      if (index < 0) throw new TypeError(`heap snapshot has no "${name}" field`);
      return index;
    };
    this.#raw = raw;
    this.#nodeFieldCount = meta.node_fields.length;
    this.#edgeFieldCount = meta.edge_fields.length;
    this.#nodeType = field(meta.node_fields, 'type');
    this.#nodeName = field(meta.node_fields, 'name');
    this.#nodeSelfSize = field(meta.node_fields, 'self_size');
    this.#nodeEdgeCount = field(meta.node_fields, 'edge_count');
    this.#edgeType = field(meta.edge_fields, 'type');
    this.#edgeName = field(meta.edge_fields, 'name_or_index');
    this.#edgeTo = field(meta.edge_fields, 'to_node');
    this.#nodeTypes = meta.node_types[0];
    this.#edgeTypes = meta.edge_types[0];
    this.nodeCount = raw.nodes.length / this.#nodeFieldCount;

    this.#firstEdge = new Uint32Array(this.nodeCount + 1);
    for (let n = 0, e = 0; n < this.nodeCount; n++) {
      this.#firstEdge[n] = e;
      e += raw.nodes[n * this.#nodeFieldCount + this.#nodeEdgeCount] * this.#edgeFieldCount;
    }
    this.#firstEdge[this.nodeCount] = raw.edges.length;
  }

  nodeName(node: number): string {
    return this.#raw.strings[this.#raw.nodes[node * this.#nodeFieldCount + this.#nodeName]];
  }

  nodeType(node: number): string {
    return this.#nodeTypes[this.#raw.nodes[node * this.#nodeFieldCount + this.#nodeType]];
  }

  /** Objects created by `new Name()` (or `class Name`) appear as type "object" with that name. */
  summarize(name: string): ClassSummary {
    let count = 0;
    let selfBytes = 0;
    for (let n = 0; n < this.nodeCount; n++) {
      if (this.nodeType(n) === 'object' && this.nodeName(n) === name) {
        count++;
        selfBytes += this.#raw.nodes[n * this.#nodeFieldCount + this.#nodeSelfSize];
      }
    }
    return { name, count, selfBytes };
  }

  findFirst(name: string): number {
    for (let n = 0; n < this.nodeCount; n++) {
      if (this.nodeType(n) === 'object' && this.nodeName(n) === name) return n;
    }
    return -1;
  }

  /** The largest node with this name, e.g. 'system / JSArrayBufferData' (a backing store). */
  largest(name: string): { type: string; selfBytes: number } | undefined {
    let best: { type: string; selfBytes: number } | undefined;
    for (let n = 0; n < this.nodeCount; n++) {
      if (this.nodeName(n) !== name) continue;
      const selfBytes = this.#raw.nodes[n * this.#nodeFieldCount + this.#nodeSelfSize];
      if (!best || selfBytes > best.selfBytes) best = { type: this.nodeType(n), selfBytes };
    }
    return best;
  }

  /**
   * Shortest chain of strong references from the snapshot root (node 0) to `target`,
   * as a list of steps "<holder name> --<edge>--> ". Weak edges are skipped: they do not
   * keep anything alive, which is exactly why DevTools greys them out in "Retainers".
   * Edges out of the root categories named in `skipRoots` are skipped too. The two
   * defaults hold references that V8's C++ code keeps for a while, whatever it was doing
   * at that moment: "(Handle scope)" its handle scopes, "(Strong roots)" root ranges it
   * registers, such as the keys of an IdentityMap (edges named "IdentityMapBase"; the
   * optimizing compilers canonicalize a job's handles in one). Either can offer a shorter
   * path that bypasses the program's own objects and changes from run to run.
   * Returns [] when no strong path exists (the target is garbage waiting to be collected).
   */
  retainerPath(target: number, skipRoots: readonly string[] = ['(Handle scope)', '(Strong roots)']): string[] {
    // findFirst() returns -1 for a miss: without this check the walk back from -1 never ends.
    if (!Number.isInteger(target) || target < 0 || target >= this.nodeCount) {
      throw new RangeError(`no such node: ${target}`);
    }
    const edges = this.#raw.edges;
    const parentNode = new Int32Array(this.nodeCount).fill(-1);
    const parentEdge = new Int32Array(this.nodeCount).fill(-1);
    parentNode[0] = 0;
    const queue: number[] = [0];
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head];
      if (node === target) break;
      if (skipRoots.includes(this.nodeName(node))) continue;
      for (let e = this.#firstEdge[node]; e < this.#firstEdge[node + 1]; e += this.#edgeFieldCount) {
        const type = this.#edgeTypes[edges[e + this.#edgeType]];
        if (type === 'weak' || type === 'shortcut') continue;
        const to = edges[e + this.#edgeTo] / this.#nodeFieldCount;
        if (parentNode[to] !== -1) continue;
        parentNode[to] = node;
        parentEdge[to] = e;
        queue.push(to);
      }
    }
    if (parentNode[target] === -1) return [];
    const steps: string[] = [];
    for (let node = target; node !== 0; node = parentNode[node]) {
      const e = parentEdge[node];
      const type = this.#edgeTypes[edges[e + this.#edgeType]];
      const raw = edges[e + this.#edgeName];
      // Element and hidden edges carry an index; the others an index into `strings`.
      const label = type === 'element' || type === 'hidden' ? `[${raw}]` : this.#raw.strings[raw];
      steps.push(`${this.nodeName(parentNode[node]) || `(${this.nodeType(parentNode[node])})`} --${label}-->`);
    }
    return steps.reverse();
  }
}
