// Scores texts with the reference VADER (npm vader-sentiment) for Parley's triage evaluation.
// Input: a file of JSON strings, one text per line (JSON so texts may hold newlines).
// Output (stdout): one compound score per line, then a last line
//   {"posts": N, "cpuSeconds": C, "wallSeconds": W} timing only the scoring loop: after a warm-up pass,
//   the best of five passes over all texts, in the process's CPU time (user + system) and by the wall
//   clock, so process start-up and file reading are not charged to VADER. Parley is timed the same way.
'use strict';
const fs = require('fs');
const vader = require('vader-sentiment');

const analyzer = vader.SentimentIntensityAnalyzer;
const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: node score.js <texts.jsonl>\n');
  process.exit(2);
}
const texts = fs.readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));

// Warm-up lets V8 optimise the hot paths, as Parley's own timing runs after a warm-up too.
const warmup = Math.min(texts.length, 2000);
for (let i = 0; i < warmup; i++) analyzer.polarity_scores(texts[i]);

const scores = new Float64Array(texts.length);
let cpuSeconds = Infinity;
let wallSeconds = Infinity;
for (let round = 0; round < 5; round++) {
  const start = process.cpuUsage();
  const wallStart = process.hrtime.bigint();
  for (let i = 0; i < texts.length; i++) scores[i] = analyzer.polarity_scores(texts[i]).compound;
  const wall = Number(process.hrtime.bigint() - wallStart) / 1e9;
  const used = process.cpuUsage(start);
  cpuSeconds = Math.min(cpuSeconds, (used.user + used.system) / 1e6);
  wallSeconds = Math.min(wallSeconds, wall);
}

const out = [];
for (let i = 0; i < scores.length; i++) out.push(String(scores[i]));
out.push(JSON.stringify({ posts: texts.length, cpuSeconds, wallSeconds }));
process.stdout.write(out.join('\n') + '\n');
