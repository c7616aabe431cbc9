import { main } from '../sim/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
