// Reads vitest's JSON reports (comma-separated paths: one per Node version) and prints the closing line CI reads: "N passed, N failed".
// Failed CI steps other than tests (lint, type-check) are passed as arguments and count as failures.
import { existsSync, readFileSync } from 'node:fs';

const [reportPaths = '', ...failedSteps] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const reportPath of reportPaths.split(',').filter(Boolean)) tally(reportPath);
if (!reportPaths) tally('');

function tally(reportPath) {
  if (reportPath && existsSync(reportPath)) {
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    passed += report.numPassedTests ?? 0;
    failed += (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    for (const file of report.testResults ?? []) {
      // A file that failed to load has no assertions but still fails the run.
      if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed += 1;
    }
  } else {
    console.log(`no test report was written${reportPath ? ` (${reportPath})` : ''}`);
    failed += 1;
  }
}
for (const step of failedSteps) {
  console.log(`failed step: ${step}`);
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
