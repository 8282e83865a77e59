// Entry point shared by the C++ test binaries.
#include "check.h"
int main() { return kdtest::run_all(); }
