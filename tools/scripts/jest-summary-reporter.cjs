// Jest reporter that prints one machine-readable line per jest run, e.g.
//   KIRIM_JEST_SUMMARY {"passed":12,"failed":0}
// tools/scripts/test.sh adds these lines up into its closing "N passed, N failed" line. A printed
// line (rather than a file) survives Nx's cache: a cached `nx test` replays its terminal output.
// A suite that could not run at all (compile error, failing import) counts as one failed test.
class KirimSummaryReporter {
  onRunComplete(_contexts, results) {
    const summary = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
    };
    process.stdout.write(`\nKIRIM_JEST_SUMMARY ${JSON.stringify(summary)}\n`);
  }
}
module.exports = KirimSummaryReporter;
