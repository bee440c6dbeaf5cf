import { CliGroup } from './context';

/** `insights canvas …` commands (see CLI.md). */
export const canvasCommands: CliGroup = {};
