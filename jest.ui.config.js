/** The browser test of the editor: run through `npm run test:ui`, which installs n8n and finds Chromium first. */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
	...base,
	roots: ['<rootDir>/test/ui'],
	testMatch: ['**/*.ui.ts'],
	testTimeout: 120_000,
	maxWorkers: 1,
};
