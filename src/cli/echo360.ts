import { CliGroup } from './context';

/** `insights echo360 …` commands (see CLI.md). */
export const echo360Commands: CliGroup = {};
