/** Moved to test/support/emulator.ts; this re-export keeps test files written before the move working. */
export { useEmulator, rejection, type Env } from '../../support/emulator.ts';
