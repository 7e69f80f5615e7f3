import { benchIntake } from './intake.js';
const n = Number(process.argv[2] ?? 20000);
console.log(JSON.stringify(await benchIntake(n)));
