/** The version matrix: run through `npm run test:compat`, which installs each n8n first. */
const e2e = require('./jest.e2e.config');

/** @type {import('jest').Config} */
module.exports = {
	...e2e,
	roots: ['<rootDir>/test/compat'],
	testMatch: ['**/*.compat.ts'],
};
