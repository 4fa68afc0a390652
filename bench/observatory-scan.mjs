// Scan pages of a local server with the MDN HTTP Observatory's own retriever, tests and grader.
// Its CLI scans only a host name on the default ports; this does what its scan() does, with the
// retriever's httpPort/httpsPort/path options.
//   node bench/observatory-scan.mjs <package dir> <host> <http port> <https port> <path>...
// Prints one JSON object per path: score, grade, and every test with its result.
import path from "node:path";
import { pathToFileURL } from "node:url";

const [packageDir, hostname, httpPort, httpsPort, ...paths] = process.argv.slice(2);
const load = (file) => import(pathToFileURL(path.join(packageDir, "src", file)).href);

const { retrieve } = await load("retriever/retriever.js");
const { ALL_TESTS, NUM_TESTS } = await load("constants.js");
const { MINIMUM_SCORE_FOR_EXTRA_CREDIT } = await load("grader/charts.js");
const { getGradeForScore, getScoreModifier } = await load("grader/grader.js");

for (const page of paths) {
  const r = await retrieve(hostname, { httpPort, httpsPort, path: page });
  if (!r.responses.auto) {
    console.log(JSON.stringify({ path: page, error: "no response" }));
    continue;
  }
  const results = ALL_TESTS.map((test) => test(r));
  let withExtraCredit = 100;
  let uncurved = 100;
  let passed = 0;
  const tests = {};
  for (const result of results) {
    const modifier = result.result ? getScoreModifier(result.result) : 0;
    withExtraCredit += modifier;
    if (modifier < 0) uncurved += modifier;
    if (result.pass) passed += 1;
    tests[result.constructor.name] = { pass: result.pass, result: result.result, modifier };
  }
  // As the Observatory does: extra credit counts only once the uncurved score earns an A.
  const score = uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? withExtraCredit : uncurved;
  const final = getGradeForScore(score);
  console.log(
    JSON.stringify({
      path: page,
      status: r.responses.auto.status,
      verified: r.responses.auto.verified ?? null,
      score: final.score,
      grade: final.grade,
      testsPassed: passed,
      testsQuantity: NUM_TESTS,
      tests,
    })
  );
}
