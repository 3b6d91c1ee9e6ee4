#!/usr/bin/env node
// Determinism self-test of the reference runner.
//
// Runs every *.tour of the example folders (default: ../shared/examples and
// ../shared/examples/v2 beside the checkout, and ./cluster, scripts on
// several official servers, with and without the Redis adapter, whose
// expected output is what those servers did; or the folders given as
// arguments) through run.mjs RUNS times, checks that every run prints exactly
// the same bytes, and that the output is byte for byte NAME.expected.ndjson
// (what the official server did). A line that differs is also judged under
// the comparison rules of the examples' README, to say whether the difference
// matters to the differential test:
//   - lines are compared as parsed JSON (key order does not matter);
//   - `disconnected`: only which clients appear (the reason strings are not compared);
//   - error lines: only that both are error lines, except the middleware
//     rejection message of a connect (`"connected":false,"error":…`), which must match.
// With --rules, only those rules decide (the bytes may differ where they allow).
// Exits non-zero on any difference, printing the step and both lines.

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join, dirname, basename } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const runner = join(here, "run.mjs");
const argv = process.argv.slice(2);
const rulesOnly = argv.includes("--rules");
const given = argv.filter((a) => a !== "--rules");
const examples = new URL("../../../shared/examples", import.meta.url).pathname;
const dirs = given.length > 0 ? given : [examples, join(examples, "v2"), join(here, "cluster")];
const RUNS = 5;

/** Canonical form for comparison: sorted keys, normalised per the rules. */
function normalize(line) {
  const o = JSON.parse(line);
  if ("error" in o && !("connected" in o)) o.error = "<run-time error>";
  if (o.disconnected && typeof o.disconnected === "object") {
    o.disconnected = Object.fromEntries(Object.keys(o.disconnected).map((k) => [k, "<reasons>"]));
  }
  return canonical(o);
}

function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

const lines = (text) => text.split("\n").filter((l) => l.trim() !== "");
const stepOf = (line) => {
  try {
    return JSON.parse(line).step;
  } catch {
    return "?";
  }
};

let passed = 0;
let failed = 0;
const tours = [];
for (const dir of dirs) {
  const found = readdirSync(dir)
    .filter((f) => f.endsWith(".tour"))
    .sort();
  if (found.length === 0) {
    console.error(`no .tour files in ${dir}`);
    process.exit(1);
  }
  // shown as e.g. `v2/handlers.tour` when several folders run
  for (const f of found) tours.push({ file: join(dir, f), shown: dirs.length > 1 ? join(basename(dir), f) : f });
}

for (const { file, shown: tour } of tours) {
  const expectedFile = file.replace(/\.tour$/, ".expected.ndjson");
  const problems = [];
  const outputs = [];
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [runner, file], { encoding: "utf8", timeout: 30000 });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0 || r.stderr !== "") {
      problems.push(`run ${i + 1}: exit status ${r.status}${r.signal ? ` (signal ${r.signal})` : ""}, stderr: ${r.stderr.trim()}`);
    }
    outputs.push(r.stdout ?? "");
  }
  for (let i = 1; i < RUNS; i++) {
    if (outputs[i] !== outputs[0]) {
      const a = lines(outputs[0]);
      const b = lines(outputs[i]);
      for (let k = 0; k < Math.max(a.length, b.length); k++) {
        if (a[k] !== b[k]) {
          problems.push(
            `run ${i + 1} differs from run 1 at step ${stepOf(a[k] ?? b[k])}:\n  run 1: ${a[k] ?? "(missing)"}\n  run ${i + 1}: ${b[k] ?? "(missing)"}`,
          );
          break;
        }
      }
    }
  }
  if (!existsSync(expectedFile)) {
    problems.push(`missing ${expectedFile}`);
  } else {
    const got = lines(outputs[0]);
    const want = lines(readFileSync(expectedFile, "utf8"));
    for (let k = 0; k < Math.max(got.length, want.length); k++) {
      const g = got[k];
      const w = want[k];
      if (g === w) continue;
      let sameUnderRules;
      try {
        sameUnderRules = g !== undefined && w !== undefined && normalize(g) === normalize(w);
      } catch (e) {
        sameUnderRules = false;
      }
      if (sameUnderRules && rulesOnly) continue;
      const note = sameUnderRules ? " (bytes only: equal under the README's rules)" : "";
      problems.push(`step ${stepOf(w ?? g)} differs from ${expectedFile}${note}:\n  expected: ${w ?? "(missing)"}\n  got:      ${g ?? "(missing)"}`);
    }
    if (!rulesOnly && problems.length === 0 && outputs[0] !== readFileSync(expectedFile, "utf8")) {
      problems.push(`the output differs from ${expectedFile} in blank lines or line ends only`);
    }
  }
  const timing = times.map((t) => `${Math.round(t)}`).join("/") + " ms";
  if (problems.length === 0) {
    passed++;
    console.log(`ok   ${tour} (${RUNS} identical runs, ${rulesOnly ? "equal under the README's rules" : "byte for byte as expected"}, ${timing})`);
  } else {
    failed++;
    console.log(`FAIL ${tour} (${timing})`);
    for (const p of problems) console.log(`  ${p.replace(/\n/g, "\n  ")}`);
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
