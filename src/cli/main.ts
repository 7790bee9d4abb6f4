#!/usr/bin/env node
// Entry point of the `igb-replay` binary. The process is never ended with process.exit():
// setting exitCode lets pending writes to a stdout pipe finish first.

import { hideBin } from 'yargs/helpers';
import { processContext } from './context.js';
import { main } from './run.js';

process.exitCode = await main(hideBin(process.argv), processContext());
