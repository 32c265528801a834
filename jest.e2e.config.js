/** The end-to-end suite in a real n8n: run through `npm run test:e2e`, which installs n8n first. */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
	...base,
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.ts'],
	testTimeout: 120_000,
	maxWorkers: 1,
};
