// The CLI runner lives with the journeys in test/e2e/; kept here for the tests that import it from test/cli/.
export { runCli, type CliResult } from '../e2e/run.ts';
