#pragma once
// Compiles a hot kernel for several x86-64 instruction sets (AVX-512, AVX2,
// baseline) and picks one at load time, so one binary is fast on any x86-64
// machine. Elsewhere it compiles once.

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define SYSTOLE_MULTIVERSION [[gnu::target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")]]
#else
#define SYSTOLE_MULTIVERSION
#endif
