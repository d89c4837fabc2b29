/** The in-memory ports pass the ports contract the store's mapping must pass too. */
import { createInMemoryPorts } from '../../src/server/index.ts';
import { portsContract } from './ports-contract.ts';

portsContract('in memory', async () => createInMemoryPorts());
