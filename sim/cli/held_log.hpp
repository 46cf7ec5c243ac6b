#pragma once
// Log lines written while a command reads its inputs wait until the inputs
// are all valid: a command refused for bad input prints its one error line
// and nothing before it; a valid one prints them as it starts its work.
// Every line is printable: what it quotes from the inputs is escaped.

namespace systole {

// Makes the default logger ("[level] message" on stderr) hold its lines.
void hold_log_lines();
// Prints the held lines, and every later line as it comes.
void release_log_lines();
// Forgets the held lines (the command failed on its input).
void discard_log_lines();

}  // namespace systole
