// @swc/jest transpiles TypeScript without a type check (tsc --noEmit does that in `npm run typecheck`):
// TypeScript 7 has no compiler API for ts-jest, and swc is several times faster.
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] };
// Generous timeout (it bounds hooks too): a cold PGlite or a loaded 2-core CI machine is slow (set-up
// hooks were seen taking over 30 s under load); speed is measured in bench/, never here.
const common = { transform, testEnvironment: 'node', setupFiles: ['<rootDir>/test/support/network-off.ts'], setupFilesAfterEnv: ['<rootDir>/test/support/network-restore.ts'] };

module.exports = {
  testTimeout: 120000,
  // Jest's default is one worker fewer than the cores: on CI's 2 cores that is one, and PGlite
  // suites are CPU-bound in-process, so two workers nearly halve the run.
  maxWorkers: 2,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...common, displayName: 'http', testMatch: ['<rootDir>/test/http/**/*.test.ts'] },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
  ],
};
