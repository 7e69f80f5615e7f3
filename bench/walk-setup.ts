import { buildWalkDb } from './walk-graph.js';
const [path, size] = process.argv.slice(2) as [string, string];
console.log(JSON.stringify(buildWalkDb(path, Number(size))));
