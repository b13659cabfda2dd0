// RPO and RTO budgets, the data-loss window of backups, WAL archiving and
// asynchronous replication, and the availability arithmetic of a failover
// design. Pure arithmetic: every input is an assumption named on its line, so
// change them to your own numbers and rerun.

const MIB = 1024 * 1024;
const WAL_SEGMENT_BYTES = 16 * MIB; // PostgreSQL default wal_segment_size
const MINUTES_PER_YEAR = 365 * 24 * 60; // a 365-day year

const fmtDuration = (s: number): string => {
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 2 * 3600) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(2)} h`;
};
const pct = (a: number, digits = 4): string => `${(a * 100).toFixed(digits)}%`;

// 1. Loss window of a periodic backup. A failure at a uniformly random moment
//    loses everything since the last *completed* backup's consistency point,
//    which is uniform on [0, interval): worst case = interval, mean = interval/2.
function periodicBackupLoss(intervalS: number): { worst: number; mean: number } {
  return { worst: intervalS, mean: intervalS / 2 };
}

// 2. Loss window of WAL archiving. archive_command sees only completed segments,
//    so unarchived WAL covers at most one segment-switch interval (a full segment
//    or archive_timeout, whichever comes first) plus the time to copy it out,
//    but only if the archiver copies a segment faster than the server produces one
//    (copyS < switchS). Otherwise the backlog, and the loss window, grow without
//    bound: by (1 - switchS / copyS) seconds of WAL per second.
function walArchiveLoss(writeBytesPerS: number, archiveTimeoutS: number, copyS: number) {
  const fillS = WAL_SEGMENT_BYTES / writeBytesPerS;
  const switchS = Math.min(fillS, archiveTimeoutS);
  const keepsUp = copyS < switchS;
  const backlogGrowth = keepsUp ? 0 : 1 - switchS / copyS; // s of WAL per s
  return { fillS, switchS, keepsUp, backlogGrowth, worst: keepsUp ? switchS + copyS : Infinity };
}

// Forced switches still archive full-size segments: the storage cost of a short
// archive_timeout on a server that writes a trickle.
function forcedSwitchArchivePerDay(archiveTimeoutS: number): number {
  return (86_400 / archiveTimeoutS) * WAL_SEGMENT_BYTES;
}

// 3. Asynchronous replication: what is lost at failover is what the replica had
//    not received, so RPO = replication lag at that moment. Percentiles of a lag
//    sample (seconds), and the committed transactions that lag represents.
function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

// Deterministic lag sample: mostly sub-second, with bursts during batch jobs.
function lagSample(n: number): number[] {
  // LCG x' = (1103515245 x + 12345) mod 2^31, exact: Math.imul keeps the low 32
  // bits of the product (a plain * would exceed 2^53 and round).
  let x = 42;
  const rand = (): number => {
    x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
    return x / 2147483648;
  };
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const burst = i % 100 >= 97; // 3% of samples during a batch job
    out.push(burst ? 5 + rand() * 25 : 0.05 + rand() * 0.6);
  }
  return out.sort((a, b) => a - b);
}

// 4. RTO as a sum of phases; the budget passes only if the sum fits.
type Phase = { name: string; seconds: number };
function rto(phases: Phase[]): number {
  return phases.reduce((s, p) => s + p.seconds, 0);
}

// 5. Availability arithmetic.
const serial = (...a: number[]): number => a.reduce((x, y) => x * y, 1);
const parallel = (...a: number[]): number => 1 - a.reduce((x, y) => x * (1 - y), 1);
const downtimeMinPerYear = (a: number): number => (1 - a) * MINUTES_PER_YEAR;

console.log('== 1. Periodic backups: data-loss window ==');
for (const [label, s] of [['nightly full', 86_400], ['every 6 h', 21_600], ['hourly', 3_600]] as const) {
  const l = periodicBackupLoss(s);
  console.log(`${label.padEnd(13)} worst ${fmtDuration(l.worst).padStart(9)}  mean ${fmtDuration(l.mean).padStart(9)}`);
}

console.log('\n== 2. WAL archiving (16 MiB segments, archive_timeout = 60 s) ==');
const walCases = [
  ['busy 4 MiB/s', 4 * MIB, 2], // archive at 8 MiB/s: 2 s per segment
  ['steady 256 KiB/s', 256 * 1024, 2],
  ['quiet 8 KiB/s', 8 * 1024, 2],
  ['busy, slow archive', 4 * MIB, 5], // archive at 3.2 MiB/s, below the WAL rate
] as const;
for (const [label, rate, copyS] of walCases) {
  const w = walArchiveLoss(rate, 60, copyS);
  const loss = w.keepsUp
    ? `worst loss ${fmtDuration(w.worst)}`
    : `ARCHIVER SLOWER THAN WAL: loss window grows ${fmtDuration(w.backlogGrowth * 3600)} per hour, no bound`;
  console.log(`${label.padEnd(18)} fills in ${fmtDuration(w.fillS).padStart(8)}  switch every ${fmtDuration(w.switchS).padStart(4)}  copy ${copyS} s  ${loss}`);
}
for (const t of [60, 10]) {
  const gib = forcedSwitchArchivePerDay(t) / (1024 * MIB);
  console.log(`archive_timeout = ${t} s on a trickle of writes: up to ${(86_400 / t).toFixed(0)} segments = ${gib.toFixed(1)} GiB/day`);
}

console.log('\n== 3. Asynchronous replica: RPO = lag at failover ==');
const lags = lagSample(10_000);
const commitsPerS = 800; // assumed write rate
for (const p of [50, 99, 100]) {
  const lag = percentile(lags, p);
  const label = p === 100 ? 'max' : `p${p}`;
  console.log(`${label.padEnd(4)} lag ${lag.toFixed(2).padStart(6)} s  -> ~${Math.round(lag * commitsPerS)} committed transactions lost at ${commitsPerS}/s`);
}
const within = lags.filter((l) => l <= 1).length / lags.length;
console.log(`P(loss window <= 1 s) = ${pct(within, 1)}: an RPO of "1 s" holds only outside the batch window`);

console.log('\n== 4. RTO budgets (target: 15 min) ==');
const targetS = 15 * 60;
const warm: Phase[] = [
  { name: 'detect (30 s interval x 3 failures)', seconds: 30 * 3 },
  { name: 'decide (human approves failover)', seconds: 5 * 60 },
  { name: 'promote replica, fence old primary', seconds: 60 },
  { name: 'scale standby to full capacity', seconds: 4 * 60 },
  { name: 'DNS TTL 60 s expires in resolvers', seconds: 60 },
];
const restoreBytes = 2 * 1024 * 1024 * MIB; // 2 TiB database
const restoreRate = 200 * MIB; // assumed restore throughput
const walToReplay = 20 * 3600 * 1 * MIB; // 20 h of WAL since the base backup at 1 MiB/s
const replayRate = 40 * MIB; // assumed replay rate
const backupRestore: Phase[] = [
  { name: 'detect + decide', seconds: 30 * 3 + 5 * 60 },
  { name: 'provision from infrastructure as code', seconds: 20 * 60 },
  { name: 'copy 2 TiB base backup at 200 MiB/s', seconds: restoreBytes / restoreRate },
  { name: 'replay 20 h of WAL (70.3 GiB) at 40 MiB/s', seconds: walToReplay / replayRate },
  { name: 'DNS TTL 60 s expires in resolvers', seconds: 60 },
];
for (const [label, phases] of [['warm standby', warm], ['backup and restore', backupRestore]] as const) {
  const total = rto(phases);
  console.log(`${label}:`);
  for (const p of phases) console.log(`  ${p.name.padEnd(44)} ${fmtDuration(p.seconds).padStart(9)}`);
  console.log(`  ${'total'.padEnd(44)} ${fmtDuration(total).padStart(9)}  ${total <= targetS ? 'fits' : 'MISSES'} the 15 min target`);
}

console.log('\n== 5. Availability of a failover design ==');
const region = serial(0.9995, 0.9995, 0.9999); // app tier x database x load balancer, per region
console.log(`one region (0.9995 x 0.9995 x 0.9999)    ${pct(region)}  ${downtimeMinPerYear(region).toFixed(0)} min/yr`);
const two = parallel(region, region);
console.log(`two regions, instant perfect failover    ${pct(two)}  ${downtimeMinPerYear(two).toFixed(1)} min/yr`);
const shared = serial(two, 0.9995); // identity provider, DNS zone or secrets store both regions use
console.log(`  x a shared dependency at 0.9995        ${pct(shared)}  ${downtimeMinPerYear(shared).toFixed(0)} min/yr`);
const incidents = 2; // regional failovers per year
const failoverRtoMin = 15;
const withRto = 1 - (incidents * failoverRtoMin) / MINUTES_PER_YEAR;
console.log(`  but ${incidents} failovers/yr x ${failoverRtoMin} min RTO    ${pct(withRto)}  ${(incidents * failoverRtoMin).toFixed(0)} min/yr at best`);
