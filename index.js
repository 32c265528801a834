// n8n loads the node and credential from the paths in package.json's "n8n" block; nothing to export here.
module.exports = {};
