import { CliGroup } from './context';

/** `insights studio …` commands (see CLI.md). */
export const studioCommands: CliGroup = {};
