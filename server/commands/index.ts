/** Every `mla` sub-command, in the order `mla --help` lists them. */
import type { Command } from "./command";

export const commands: Command[] = [
];
