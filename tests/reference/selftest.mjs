#!/usr/bin/env node
// Determinism self-test of the reference runner.
//
// Runs every ../shared/examples/*.tour (beside the checkout) (or the directory given as the first
// argument) through run.mjs RUNS times, checks that every run prints exactly
// the same bytes, and that the output agrees with NAME.expected.ndjson under
// the comparison rules of the examples' README:
//   - lines are compared as parsed JSON (key order does not matter);
//   - `disconnected`: only which clients appear (the reason strings are not compared);
//   - error lines: only that both are error lines, except the middleware
//     rejection message of a connect (`"connected":false,"error":…`), which must match.
// Exits non-zero on any difference, printing the step and both lines.

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const runner = join(here, "run.mjs");
const dir =
  process.argv[2] ??
  new URL("../../../shared/examples", import.meta.url).pathname;
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
const tours = readdirSync(dir)
  .filter((f) => f.endsWith(".tour"))
  .sort();
if (tours.length === 0) {
  console.error(`no .tour files in ${dir}`);
  process.exit(1);
}

for (const tour of tours) {
  const file = join(dir, tour);
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
      let same;
      try {
        same = g !== undefined && w !== undefined && normalize(g) === normalize(w);
      } catch (e) {
        same = false;
      }
      if (!same) {
        problems.push(`step ${stepOf(w ?? g)} differs from ${expectedFile}:\n  expected: ${w ?? "(missing)"}\n  got:      ${g ?? "(missing)"}`);
      }
    }
  }
  const timing = times.map((t) => `${Math.round(t)}`).join("/") + " ms";
  if (problems.length === 0) {
    passed++;
    console.log(`ok   ${tour} (${RUNS} identical runs, ${timing})`);
  } else {
    failed++;
    console.log(`FAIL ${tour} (${timing})`);
    for (const p of problems) console.log(`  ${p.replace(/\n/g, "\n  ")}`);
  }
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
