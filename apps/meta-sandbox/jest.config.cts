module.exports = {
  displayName: 'meta-sandbox',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'html'],
  coverageDirectory: '../../coverage/apps/meta-sandbox',
  // The sandbox keeps everything in memory: its tests need neither PostgreSQL nor Redis, so the
  // workspace-wide global setup (which starts and migrates them) is not used here.
  globalSetup: undefined,
};
