/**
 * Edit storms: one server, one document, N random incremental edits (insertions, deletions, several ranges in
 * one didChange), sent in bursts without waiting for diagnostics, with random pauses (so edits arrive while an
 * analysis is still running) and now and then a wait for the current version.
 *
 * Checks: the server stays up and logs no error; every publishDiagnostics range lies inside the text of the
 * version it names; no publish for an older version arrives after a newer one; at quiescence the last published
 * diagnostics (for the final version) equal a fresh engine analysis of the final text; RSS after the run is at
 * most 10% above the RSS high-water mark of a settled warm-up (RSS saws with garbage collection; a leak shows as
 * the end rising above the warm-up's peak).
 *
 * STORM_EDITS (default 1000; 10000 for a soak-sized storm), STORM_WARMUP (default 1500), FUZZ_SEED as in fuzz.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { TextDocument } from "vscode-languageserver-textdocument";
import {
  baseSeed, copyExample, diagnosticProblems, diagnosticView, engineView, envCount, loadCorpus, LspServer, randomChanges, Rng, uriOf,
} from "./soak";

const EDITS = envCount("STORM_EDITS", 1000);
const WARMUP = envCount("STORM_WARMUP", 2000);
const WARMUP_MAX = envCount("STORM_WARMUP_MAX", 6000);
const SEED = baseSeed() ^ 0x57023;

const servers: LspServer[] = [];
after(async () => {
  for (const s of servers) await s.stop();
});

describe("storm: incremental edits", () => {
  it(`${EDITS} random edits (after ${WARMUP} warm-up): final diagnostics equal a fresh analysis, no stale versions, RSS +<=10% (seed ${SEED})`, async () => {
    const root = copyExample();
    const file = path.join(root, "catalog", "views.py");
    const corpus = loadCorpus();
    let r = new Rng(SEED);
    const server = await LspServer.start(root);
    servers.push(server);
    await server.ready();
    const original = corpus.find((c) => c.rel === path.join("example", "catalog", "views.py"))!.text;
    const doc = TextDocument.create(uriOf(file), "python", 1, original);
    const texts = new Map<number, string>([[1, original]]);
    await server.open(doc);
    await server.diagnostics(doc.uri, 1);

    const problems: string[] = [];
    let seen = 0;
    let newest = -1;
    const check = () => {
      for (; seen < server.published.length; seen++) {
        const p = server.published[seen];
        if (p.uri !== doc.uri) continue;
        if (p.version === undefined) {
          problems.push("a publish without a version");
          continue;
        }
        if (p.version < newest) problems.push(`stale: v${p.version} published after v${newest}`);
        newest = Math.max(newest, p.version);
        const text = texts.get(p.version);
        if (text === undefined) problems.push(`v${p.version} published but never sent`);
        else problems.push(...diagnosticProblems(text, doc.uri, p.diagnostics, `v${p.version}`));
        for (const v of texts.keys()) if (v < p.version) texts.delete(v);
      }
    };
    let waits = 0;
    let sampling = false;
    let rssPeak = 0;
    let compared = 0;
    let comparedWithHints = 0;
    const run = async (count: number) => {
      let sent = 0;
      while (sent < count) {
        const burst = r.range(1, 25);
        for (let b = 0; b < burst && sent < count; b++, sent++) {
          const changes = randomChanges(doc, r, corpus, 12000);
          const version = doc.version + 1;
          TextDocument.update(doc, changes, version);
          texts.set(version, doc.getText());
          await server.change(doc.uri, version, changes);
        }
        if (r.chance(0.04)) {
          // Back to the original text in two ranges of one didChange (as a revert while typing would).
          const text = doc.getText();
          const k = r.int(original.length + 1);
          const mid = r.int(text.length + 1);
          const first = { range: { start: doc.positionAt(0), end: doc.positionAt(mid) }, text: original.slice(0, k) };
          const work = TextDocument.create(doc.uri, "python", 0, text);
          TextDocument.update(work, [first], 1);
          const second = { range: { start: work.positionAt(k), end: work.positionAt(work.getText().length) }, text: original.slice(k) };
          TextDocument.update(doc, [first, second], doc.version + 1);
          texts.set(doc.version, doc.getText());
          await server.change(doc.uri, doc.version, [first, second]);
        }
        const pause = r.int(5);
        if (pause === 0) {
          waits++;
          const p = await server.diagnostics(doc.uri, doc.version, 30000);
          if (r.chance(0.25)) {
            compared++;
            if (p.diagnostics.length) comparedWithHints++;
            const fresh = await engineView(root, file, doc.getText());
            if (JSON.stringify(fresh) !== JSON.stringify(diagnosticView(p.diagnostics))) problems.push(`v${doc.version}: published diagnostics differ from a fresh analysis:\n  server: ${diagnosticView(p.diagnostics).join("\n          ")}\n  engine: ${fresh.join("\n          ")}`);
          }
        } else if (pause <= 2) await new Promise((res) => setTimeout(res, r.int(70)));
        check();
        if (sampling) rssPeak = Math.max(rssPeak, server.rssKb());
        assert.ok(server.alive, `the server exited (code ${server.exitCode}, signal ${server.exitSignal}) after ${sent} edits: ${server.stderr.slice(-2000)}`);
        if (problems.length > 20) break;
      }
    };
    const started = Date.now();
    // Warm-up: at least WARMUP edits, then more (500 at a time, up to WARMUP_MAX) until RSS grows < 2% per chunk,
    // so the JIT, the V8 heap and the WASM memory have settled before the measured run.
    await run(WARMUP);
    let warmed = WARMUP;
    let rssStart = server.rssKb();
    while (warmed < WARMUP_MAX) {
      await run(500);
      warmed += 500;
      await server.diagnostics(doc.uri, doc.version, 30000);
      const now = server.rssKb();
      const settled = now <= rssStart * 1.02;
      rssStart = now;
      if (settled) break;
    }
    // The baseline is the high-water mark of a last warm-up stretch: RSS saws up and down with garbage
    // collection, and a leak shows as the end rising above the settled peak.
    sampling = true;
    await run(500);
    warmed += 500;
    sampling = false;
    await server.diagnostics(doc.uri, doc.version, 30000);
    await new Promise((res) => setTimeout(res, 200));
    rssStart = Math.max(rssPeak, server.rssKb());
    const t0 = Date.now();
    // The measured run has its own generator, so it is the same whatever length the warm-up took.
    r = new Rng(SEED ^ 0x1000);
    await run(EDITS);
    // A last edit that surely gives hints, sent right after the storm without waiting.
    const tail = "\n\ndef storm_final(request):\n    for b in Book.objects.all():\n        print(b.author.name)\n";
    const end = doc.positionAt(doc.getText().length);
    TextDocument.update(doc, [{ range: { start: end, end }, text: tail }], doc.version + 1);
    texts.set(doc.version, doc.getText());
    await server.change(doc.uri, doc.version, [{ range: { start: end, end }, text: tail }]);
    const last = await server.diagnostics(doc.uri, doc.version, 30000);
    // Quiescence: nothing more arrives for a while, and what was last published is for the final version.
    await new Promise((res) => setTimeout(res, 400));
    check();
    const rssEnd = server.rssKb();
    const final = server.last(doc.uri)!;
    assert.equal(final.version, doc.version, "the last publish is for the final version");
    console.log(`storm: ${warmed}+${EDITS} edits in ${Date.now() - started} ms (${Date.now() - t0} ms measured, ${waits} waits, ${compared} mid-storm comparisons, ${comparedWithHints} with hints), final text ${doc.getText().length} chars, ${final.diagnostics.length} diagnostics; RSS (warm-up peak) ${(rssStart / 1024).toFixed(1)} -> ${(rssEnd / 1024).toFixed(1)} MB (${(((rssEnd - rssStart) / rssStart) * 100).toFixed(1)}%)`);
    assert.deepEqual(problems.slice(0, 20), [], `seed ${SEED}`);
    assert.deepEqual(diagnosticView(final.diagnostics), diagnosticView(last.diagnostics));
    assert.deepEqual(diagnosticView(final.diagnostics), await engineView(root, file, doc.getText()), `seed ${SEED}: the final diagnostics equal a fresh analysis`);
    assert.ok(comparedWithHints > 0 || final.diagnostics.length > 0, "at least one comparison had hints to compare");
    assert.deepEqual(server.errors().map((m) => m.message.slice(0, 400)), [], "the server logged no errors");
    if (!Number.isNaN(rssStart) && !Number.isNaN(rssEnd)) assert.ok(rssEnd <= rssStart * 1.1, `RSS grew from ${rssStart} kB to ${rssEnd} kB (> 10%) over ${EDITS} edits (seed ${SEED})`);
  });
});
