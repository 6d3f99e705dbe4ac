/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time and inclusive time per function, and self time
 * per source file, so the cost of a full check can be compared with the parse floor.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof out/bench/run.js --child check --root DIR > /dev/null
 *   node out/bench/profile.js /tmp/prof/<file>.cpuprofile [--top 30]
 */
import * as fs from "fs";
import * as path from "path";

interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: Frame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const short = (url: string) => {
  const u = url.replace(/^file:\/\//, "");
  const i = u.indexOf("/out/");
  if (i >= 0) return u.slice(i + 5);
  const j = u.indexOf("node_modules/");
  if (j >= 0) return u.slice(j);
  return u ? path.basename(u) : "";
};

export function summarize(profile: CpuProfile, top = 30): string {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const key = (n: ProfileNode) => `${n.callFrame.functionName || "(anonymous)"} ${short(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ""}`;
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const fileSelf = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    let n = byId.get(profile.samples[i]);
    if (!n) continue;
    const k = key(n);
    self.set(k, (self.get(k) ?? 0) + dt);
    const f = short(n.callFrame.url) || n.callFrame.functionName;
    fileSelf.set(f, (fileSelf.get(f) ?? 0) + dt);
    const seen = new Set<string>();
    for (; n; n = parent.has(n.id) ? byId.get(parent.get(n.id)!) : undefined) {
      const kk = key(n);
      if (seen.has(kk)) continue;
      seen.add(kk);
      incl.set(kk, (incl.get(kk) ?? 0) + dt);
    }
  }
  const fmt = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${v.toFixed(0).padStart(7)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join("\n");
  return [
    `total sampled: ${total.toFixed(0)} ms`,
    "",
    "self time by function:",
    fmt(self, top),
    "",
    "inclusive time by function:",
    fmt(incl, top),
    "",
    "self time by file:",
    fmt(fileSelf, 20),
  ].join("\n");
}

if (require.main === module) {
  const file = process.argv[2];
  const ti = process.argv.indexOf("--top");
  const top = ti >= 0 ? Number(process.argv[ti + 1]) : 30;
  process.stdout.write(summarize(JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile, top) + "\n");
}
