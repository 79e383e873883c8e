const nxPreset = require('@nx/jest/preset').default;

// Unit tests are `*.spec.ts` (no I/O); integration tests are `*.int-spec.ts` (real PostgreSQL and Redis,
// one database cloned from a migrated template per test file, see libs/testing).
module.exports = {
  ...nxPreset,
  testMatch: ['**/?(*.)+(spec|int-spec).ts'],
  globalSetup: require.resolve('./libs/testing/jest/global-setup.cjs'),
  testTimeout: 30000,
  reporters: ['default', require.resolve('./tools/scripts/jest-summary-reporter.cjs')],
};
