/** n8n's queue mode, for real: run through `npm run test:queue`, which finds n8n, PostgreSQL and Redis first. */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
	...base,
	roots: ['<rootDir>/test/queue'],
	testMatch: ['**/*.queue.ts'],
	testTimeout: 900_000,
	maxWorkers: 1,
};
