// The arithmetic of putting proxies on every hop: latency, tail exposure,
// retry amplification, availability in series, and proxy fleet cost.
// Measured inputs name their source (istio.io version, or Red Hat's OpenShift
// Service Mesh docs); inputs marked "assumption" are illustrative and yours to replace.

type Row = [label: string, value: string];

function table(title: string, rows: Row[]): void {
  console.log(title);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
}

const ms = (x: number): string => `${x.toFixed(2)} ms`;
const pct = (x: number, digits = 2): string => `${(x * 100).toFixed(digits)}%`;

// 1. Added latency across a chain, for the pair of sidecars on one hop (client
// proxy + server proxy) over a no-mesh baseline. istio.io's 1.20 page: p90
// 0.228 ms, p99 0.298 ms. Red Hat's OSSM docs: "In the default configuration of
// Istio 1.12.3 ... the two proxies add about 1.7 ms and 2.7 ms" (p90, p99).
// (istio.io's 1.8 to 1.16 pages open with a p90-only summary, "The Envoy proxy
// adds 2.65 ms to the 90th percentile latency"; not used here.)
const perHop = {
  'Istio 1.20 docs': { p90: 0.228, p99: 0.298 },
  'Istio 1.12.3 (Red Hat docs)': { p90: 1.7, p99: 2.7 },
};
const hops = 5;
const budgetP99 = 200; // assumption: the end-to-end p99 objective in ms
const rows1: Row[] = [];
for (const [label, { p90, p99 }] of Object.entries(perHop)) {
  const added = hops * p99;
  rows1.push([label, `+${ms(hops * p90)} p90, +${ms(added)} p99 over ${hops} hops = ${pct(added / budgetP99, 1)} of a ${budgetP99} ms p99 budget`]);
}
table(`1. Summed per-hop overhead, ${hops} hops (adds percentiles: an estimate, not a bound)`, rows1);

// 2. Tail exposure: a request that crosses n independent hops meets at least one
// hop's slowest 1% with probability 1 - 0.99^n.
const rows2: Row[] = [1, 5, 10, 20].map((n) => [`${n} hop(s)`, pct(1 - 0.99 ** n, 1)]);
table('2. Chance a request meets at least one hop in its p99 tail', rows2);

// 3. Retry amplification: every layer that retries multiplies attempts below it.
// Istio's default HTTP retry policy retries twice (3 attempts per call), but only
// on connect-failure, refused-stream, unavailable, cancelled: not HTTP 500, and
// not 503 since Istio 1.24.
const meshAttempts = 3;
const appAttempts = 3; // assumption: a client library that also makes 3 attempts
const rows3: Row[] = [1, 2, 3, 5].map((depth) => [
  `depth ${depth}`,
  `mesh only ${meshAttempts ** depth}, app + mesh ${(meshAttempts * appAttempts) ** depth} attempts at the bottom`,
]);
table('3. Worst-case attempts reaching the deepest service when it always fails with a retriable error (connect failure, refused stream)', rows3);

// 4. Availability in series: every request needs every proxy on its path.
const proxyAvailability = 0.9999; // assumption: per-proxy availability
const rows4: Row[] = [
  ['sidecars: 2 proxies per hop', pct(proxyAvailability ** (2 * hops), 3)],
  ['ambient L4: 2 ztunnels per hop', pct(proxyAvailability ** (2 * hops), 3)],
  ['ambient + waypoint: 3 proxies per hop', pct(proxyAvailability ** (3 * hops), 3)],
];
table(`4. Availability of the proxies alone on a ${hops}-hop path at ${pct(proxyAvailability)} each`, rows4);

// 5. Fleet cost from Istio 1.24's figures (1000 rps of 1 KB HTTP, 2 workers):
// sidecar 0.20 vCPU / 60 MB, waypoint 0.25 vCPU / 60 MB, ztunnel 0.06 vCPU / 12 MB.
const pods = 2000; // assumption
const nodes = 100; // assumption
const waypoints = 20; // assumption: one per namespace
const gb = (mb: number): string => `${(mb / 1000).toFixed(1)} GB`;
const rows5: Row[] = [
  ['CPU per 1000 rps per hop, sidecars', `${(2 * 0.2).toFixed(2)} vCPU (client + server proxy)`],
  ['CPU per 1000 rps per hop, ambient L4', `${(2 * 0.06).toFixed(2)} vCPU (two ztunnels)`],
  ['CPU per 1000 rps per hop, ambient + waypoint', `${(2 * 0.06 + 0.25).toFixed(2)} vCPU`],
  [`memory floor, ${pods} sidecars x 60 MB`, gb(pods * 60)],
  [`memory floor, ${nodes} ztunnels x 12 MB + ${waypoints} waypoints x 60 MB`, gb(nodes * 12 + waypoints * 60)],
];
table('5. Proxy fleet cost (treats the measured figures as per-proxy constants)', rows5);
