// Jest for the LWC components, runnable from the repo root or from this folder:
//   npx jest --config plugins/crm-salesforce/jest.config.cjs
//   (cd plugins/crm-salesforce && npx sfdx-lwc-jest)
// @salesforce/sfdx-lwc-jest's own config and resolver find sfdx-project.json through process.cwd(), so this
// config builds the same setup from @lwc/jest-preset with a resolver anchored to this folder instead.
const path = require('node:path');
const preset = require('@lwc/jest-preset');

module.exports = {
  rootDir: __dirname,
  roots: ['<rootDir>/force-app'],
  testEnvironment: preset.testEnvironment,
  moduleFileExtensions: preset.moduleFileExtensions,
  transform: preset.transform,
  setupFilesAfterEnv: preset.setupFilesAfterEnv,
  snapshotSerializers: preset.snapshotSerializers,
  resolver: path.join(__dirname, 'jest', 'resolver.cjs'),
  testMatch: ['**/__tests__/**/*.test.js'],
  // Vitest files (test/, sandbox/) and dependencies are not jest's.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/', '<rootDir>/sandbox/', '<rootDir>/scripts/'],
  transformIgnorePatterns: [
    '/node_modules/(?!(.*@lwc/state)|(.*@salesforce/sfdx-lwc-jest/src/lightning-stubs)/)',
  ],
  clearMocks: true,
};
