// Error budgets, burn rates and multiwindow, multi-burn-rate alert thresholds,
// after the Google SRE Workbook, chapter 5 ("Alerting on SLOs"). Pure
// arithmetic: change the inputs and rerun.

const MIN = 60; // seconds
const HOUR = 3600;
const DAY = 86_400;

const fmt = (s: number): string => {
  if (!Number.isFinite(s)) return 'never';
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 2 * HOUR && s % HOUR !== 0) return `${(s / MIN).toFixed(1)} min`;
  if (s < 3 * DAY) return `${(s / HOUR).toFixed(1)} h`;
  return `${(s / DAY).toFixed(1)} d`;
};

// 1. The budget: (1 - SLO) of the window, as time for a time-based SLI, or as
//    a count of bad events for a request-based one.
console.log('== 1. Error budget per window ==');
console.log('SLO         30 days      28 days   per 1M requests');
for (const slo of [0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99999]) {
  const b = 1 - slo;
  console.log(
    `${`${+(slo * 100).toFixed(3)}%`.padEnd(8)}  ${fmt(b * 30 * DAY).padStart(9)}    ${fmt(b * 28 * DAY).padStart(9)}   ${String(Math.round(b * 1e6)).padStart(6)} bad`,
  );
}

// 2. Burn rate = observed error ratio / (1 - SLO). At burn rate B the whole
//    budget lasts period / B.
console.log('\n== 2. Burn rate -> time to exhaust a 99.9% / 30-day budget ==');
const SLO = 0.999;
const BUDGET = 1 - SLO;
const PERIOD = 30 * DAY;
for (const burn of [1, 2, 6, 10, 14.4, 36, 1000]) {
  const errorRatio = burn * BUDGET;
  console.log(
    `burn ${String(burn).padStart(6)}  error ratio ${(errorRatio * 100).toFixed(2).padStart(6)}%  budget gone in ${fmt(PERIOD / burn)}`,
  );
}

// 3. Multiwindow, multi-burn-rate: page when a given fraction of the budget is
//    spent within the long window; the short window (1/12 of the long one, the
//    workbook's guideline) must also exceed the same burn rate, so the alert
//    stops soon after the errors stop.
//    burn rate threshold = budget fraction x period / long window.
type Rule = { severity: string; fraction: number; longS: number };
const rules: Rule[] = [
  { severity: 'page', fraction: 0.02, longS: 1 * HOUR },
  { severity: 'page', fraction: 0.05, longS: 6 * HOUR },
  { severity: 'ticket', fraction: 0.1, longS: 3 * DAY },
];
for (const [i, periodDays] of [30, 28].entries()) {
  console.log(`\n== 3${'ab'[i]}. Thresholds for a 99.9% SLO over ${periodDays} days ==`);
  for (const r of rules) {
    const burn = (r.fraction * periodDays * DAY) / r.longS;
    console.log(
      `${r.severity.padEnd(6)} ${(r.fraction * 100).toFixed(0).padStart(2)}% of budget  long ${fmt(r.longS).padStart(7)}  short ${fmt(r.longS / 12).padStart(7)}  burn > ${burn.toFixed(2).padStart(5)}  error ratio > ${(burn * BUDGET * 100).toFixed(3)}%`,
    );
  }
}

// 4. Detection time of the fast-burn page for a step from 0 to a constant
//    error ratio e: a window of length W averages e * t / W after t seconds,
//    so it crosses the threshold x at t = x * W / e (if that is <= W). Both
//    windows must cross, and the long one always crosses last, so it alone sets
//    t; the budget spent by then is e * t / (budget * period). These are lower
//    bounds: the model ignores scrape and rule-evaluation intervals.
console.log('\n== 4. Fast-burn page (1 h and 5 min, burn 14.4): time to fire ==');
const fire = (e: number, burn: number, longS: number): number => {
  const x = burn * BUDGET;
  if (e <= x) return Infinity;
  return (x * longS) / e; // the short window crosses at 1/12 of this time
};
for (const e of [1, 0.1, 0.05, 0.02, 0.0144]) {
  const t = fire(e, 14.4, HOUR);
  const spent = Number.isFinite(t) ? `${((e * t) / (BUDGET * PERIOD) * 100).toFixed(2)}% of budget spent` : 'never fires';
  console.log(`error ratio ${(e * 100).toFixed(2).padStart(6)}%  fires after ${fmt(t).padStart(8)}  ${spent}`);
}
const slow = fire(0.01, 6, 6 * HOUR);
console.log(`error ratio   1.00%  misses the fast page; 6 h page fires after ${fmt(slow)}, ${((0.01 * slow) / (BUDGET * PERIOD) * 100).toFixed(1)}% spent`);

// 5. Where the arithmetic breaks.
console.log('\n== 5. Edge cases ==');
const reqPerHour = 10;
const total = reqPerHour * 24 * 30;
console.log(
  `low traffic: ${reqPerHour} req/h -> ${total} req/30 d, budget ${(total * BUDGET).toFixed(1)} failures; one failure in an hour = burn ${((1 / reqPerHour) / BUDGET).toFixed(0)}, ${((1 / (total * BUDGET)) * 100).toFixed(1)}% of budget`,
);
console.log(`99.999% over 30 d: a full outage exhausts the budget in ${fmt(0.00001 * PERIOD)}`);
console.log(`90% over 30 d: a full outage for 1 h spends ${((HOUR / (0.1 * PERIOD)) * 100).toFixed(1)}% of budget, below the 2% page`);

// 6. Cardinality: every label combination is a series, and a classic histogram
//    costs (buckets + 1 for +Inf) + _sum + _count series per combination.
console.log('\n== 6. Series count of one latency histogram ==');
const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].length;
const perCombo = buckets + 1 + 2;
const labels: [string, number][] = [
  ['method', 5],
  ['route', 40],
  ['status_code', 8],
  ['instance', 50],
];
let combos = 1;
for (const [name, n] of labels) {
  combos *= n;
  console.log(`x ${name.padEnd(12)} ${String(n).padStart(6)} values  -> ${(combos * perCombo).toLocaleString('en-US').padStart(13)} series`);
}
console.log(`x user_id      100000 values  -> ${(combos * perCombo * 100_000).toLocaleString('en-US').padStart(13)} series`);
