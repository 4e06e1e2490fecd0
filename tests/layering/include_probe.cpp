// Layering probe (tests/layering/CMakeLists.txt): includes the one header
// named by CCMON_PROBE_HEADER with the include path of the library it links.
#include CCMON_PROBE_HEADER
