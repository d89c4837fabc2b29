/**
 * Every command's declaration, in help order. A declaration imports only commander and the CLI's
 * option helpers; its engine (gateway, query, emulator…) is imported when the command runs.
 */
import type { Command } from 'commander';
import * as action from './action.ts';
import * as actions from './actions.ts';
import * as billing from './billing.ts';
import * as completion from './completion.ts';
import * as connection from './connection.ts';
import * as create from './create.ts';
import * as del from './delete.ts';
import * as describe from './describe.ts';
import * as emulator from './emulator.ts';
import * as entities from './entities.ts';
import * as explain from './explain.ts';
import * as get from './get.ts';
import * as list from './list.ts';
import * as mcp from './mcp.ts';
import * as nodes from './nodes.ts';
import * as query from './query.ts';
import * as serve from './serve.ts';
import * as start from './start.ts';
import * as token from './token.ts';
import * as sync from './sync.ts';
import * as trigger from './trigger.ts';
import * as update from './update.ts';

export const COMMANDS: Array<(program: Command) => void> = [
  start,
  entities,
  describe,
  actions,
  list,
  query,
  explain,
  get,
  create,
  update,
  del,
  action,
  sync,
  connection,
  trigger,
  billing,
  emulator,
  mcp,
  serve,
  token,
  nodes,
  completion,
].map((m) => m.register);
