// Linked into every executable of a SYSTOLE_SANITIZE build (CMakeLists.txt):
// the sanitizers' defaults, which ASAN_OPTIONS and UBSAN_OPTIONS still
// override. The first finding aborts the process (SIGABRT) with a stack
// trace, so a test that checks the command line's exit status sees a crash,
// not one of Systole's exit codes; leaks count as findings.

extern "C" const char* __asan_default_options() {
  return "abort_on_error=1:detect_leaks=1:strict_string_checks=1";
}

extern "C" const char* __ubsan_default_options() {
  return "abort_on_error=1:halt_on_error=1:print_stacktrace=1";
}
